"""What a reply promises (refunds, replacements, discounts and their %, amounts, gifts, time
frames), and whether `brand.yaml` allows it: the policy_grounded rule."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .case import COMPLAINT, Case
from .patterns import Match, find_any
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote

# Kinds that promise only when they come with a time frame ("ответим" alone promises nothing).
NEEDS_TIME_FRAME = frozenset({"dm_answer"})
# Kinds that are a promise only when offered ("дарим промокод", "here's a code"), not when described.
NEEDS_OFFER = frozenset({"promo_code", "points"})
_OFFER_CUE = re.compile(
    r"получите|you'll get|you will get|you get|\bget\b|дар\w*|подар\w*|приш\w*|присыл\w*|отправ\w*|дад\w*|дади\w*|начисл\w*|держите|\bлови\b|ловите|предлага\w*|выда\w*|"
    r"вам\b|для вас|следующ\w*|в качестве|here's|here is|we'll|we will|we'd|give|send|add|offer|credit|enjoy|for you|"
    r"your next|next order|as a",
    re.I,
)
KIND_WORDS = {
    "refund": "a refund",
    "replacement": "a replacement",
    "exchange": "an exchange",
    "reshipping": "re-shipping",
    "free_return_shipping": "free return shipping",
    "promo_code": "a promo code",
    "free_delivery": "free delivery",
    "callback": "a call-back",
    "dm_answer": "an answer in private messages",
    "points": "loyalty points",
    "repair": "a repair",
    "gift": "a gift",
    "cash_compensation": "cash compensation",
    "keep_item": "keeping the item",
    "free_order": "a free order",
}

_NUMBER_WORDS = {
    "одного": 1,
    "один": 1,
    "одна": 1,
    "одну": 1,
    "двух": 2,
    "два": 2,
    "две": 2,
    "трех": 3,
    "трёх": 3,
    "три": 3,
    "пяти": 5,
    "пять": 5,
    "семи": 7,
    "семь": 7,
    "десяти": 10,
    "десять": 10,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "five": 5,
    "seven": 7,
    "ten": 10,
    "24": 24,
    "48": 48,
}
_UNIT_HOURS = [
    (re.compile(r"^(мин|minute|min)", re.I), 1 / 60),
    (re.compile(r"^(час|ч\b|hour|hr|h\b)", re.I), 1),
    (re.compile(r"^(сут|дн|день|day|рабоч\w* дн|business day|working day)", re.I), 24),
    (re.compile(r"^(недел|week)", re.I), 24 * 7),
    (re.compile(r"^(месяц|month)", re.I), 24 * 30),
]
_NUM = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(минут\w*|мин\b\.?|час\w*|ч\b\.?|суток|сутки|рабоч\w*\s+дн\w*|дн\w*|день|недел\w*|месяц\w*|minutes?|mins?\b|hours?|hrs?\b|h\b|(?:business|working)\s+days?|days?|weeks?|months?)"
_TIME_NUMBER = re.compile(rf"\b{_NUM}[\s-]*{_UNIT}", re.I)
_TIME_BARE = re.compile(
    r"\b(?:в течение|в пределах|within|in|during)\s+(?:одного\s+|an?\s+|one\s+)?(часа|дня|суток|недели|месяца|hour|day|week|month)\b",
    re.I,
)
_TIME_NOW = re.compile(
    r"\b(сегодня|сейчас|немедленно|мгновенно|моментально|сразу|незамедлительно|today|tonight|immediately|instantly|"
    r"right away|right now|asap|straight away|same day|как можно скорее)\b",
    re.I,
)
_TIME_TOMORROW = re.compile(r"\b(завтра|tomorrow)\b", re.I)
_STARTING = re.compile(r"\b(оформ\w*|запуст\w*|нача\w*|начн\w*|start\w*|begin\w*|initiat\w*|process\w*)", re.I)
_MONEY = re.compile(
    # an amount is at most 24 characters ("1 000 000,00"): unbounded, each digit of a long run of
    # numbers without a currency was tried against the whole rest of the reply (quadratic time)
    r"(?:[$€£]\s*\d[\d\s.,]{0,24}|\d[\d\s.,]{0,24}\s*(?:₽|руб\w*|р\.|\$|usd|долл\w*|€|евро|eur|£|фунт\w*|pounds?|dollars?|euros?|roubles?|rubles?))",
    re.I,
)
_FOR_TROUBLE = re.compile(
    r"компенс\w*|за ожидание|за неудобств\w*|за беспокойств\w*|compensat\w*|for the (?:trouble|wait|"
    r"inconvenience)|goodwill",
    re.I,
)
_OFFERING = re.compile(
    r"компенсир\w*|выплат\w*|перевед\w*|перечисл\w*|дадим|дарим|начисл\w*|compensat\w*|\bpay\b|paying|"
    r"transfer\w*|\bgive\b|giving|offer\w*|credit\w*|\bsend\b|пришл\w*|отправ\w*|добав\w*",
    re.I,
)
# Remedies for a problem, offered where there is none, are presents.
_REMEDIES_AS_GIFTS = frozenset({"replacement", "reshipping"})
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|процент\w*|percent|pct)", re.I)
_POINTS = re.compile(r"(\d[\d\s,.]{0,7}\d|\d)\s*(?:[a-zа-яё-]+\s+)?(?:балл\w*|бонус\w*|points?|bonus)", re.I)
# Amounts in words, read as digits before percentages and points are parsed ("тридцать процентов",
# "a thousand points"): a promise in words must not slip past a limit that digits would break.
_SPELLED = {
    "десят": 10,
    "двадцат": 20,
    "тридцат": 30,
    "сорок": 40,
    "пятьдесят": 50,
    "шестьдесят": 60,
    "семьдесят": 70,
    "восемьдесят": 80,
    "девяност": 90,
    "сто": 100,
    "двест": 200,
    "трист": 300,
    "пятьсот": 500,
    "тысяч": 1000,
    "ten": 10,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
}
_SPELLED_WORD = re.compile(r"\b(" + "|".join(sorted(_SPELLED, key=len, reverse=True)) + r")[a-zа-яё]*", re.I)
_MULTIPLIER_WORD = re.compile(
    r"\b(одн[а-я]*|две|два|двух|три|трёх|трех|пять|пяти|one|two|three|five|a|an)\s+(?=(?:тысяч|сот|thousand|hundred))",
    re.I,
)
# More than the thing itself: a refund "plus 10,000 on top", "double what you paid"
_BEYOND = re.compile(
    r"сверху|в придачу|дополнительно|добав\w*|плюс|вдвойне|в двойном|двойн\w*|тройн\w*|в тройном|on top|plus|"
    r"in addition|additionally|double|twice|triple|two times|extra",
    re.I,
)
# Once allowed is not for good: "free delivery forever", «бонусы пожизненно»
_FOREVER = re.compile(
    r"навсегда|пожизненн\w*|бессрочн\w*|на все заказы|на все (?:ваши )?(?:будущие )?покупки|все ваши заказы|"
    r"forever|for life|lifetime|all (?:of )?your (?:future )?orders|every order|all future",
    re.I,
)
# An offer refused or described as past is no promise; pattern negation covers "не можем вернуть",
# these cover the words between: "unable to offer a complimentary upgrade"
_NOT_OFFERED = re.compile(
    r"\b(?:unable to|not able to|can't|cannot|can not|couldn't|wouldn't|won't|don't|do not|doesn't|does not)\s+"
    r"(?:\w+\s+)?(?:offer|give|provide|issue|grant|do)\b|\bis not\b|\bisn't\b|"
    r"\bне (?:можем|сможем|могу) (?:\w+ )?(?:предложить|дать|предоставить|сделать)|\bне предоставля\w*|"
    r"\bне предусмотр\w*|\bнельзя\b|\bне положен\w*",
    re.I,
)
_REFUSED = re.compile(
    r"\b(?:was|were|been) denied|\bотказа(?:но|ли)\b|already (?:been )?compensated|уже компенсир\w*|уже получили компенсац\w*",
    re.I,
)
_PART_OF_ORDER = re.compile(
    r"достав\w*|delivery|deliver\w*|shipping|частич\w*|часть|трет\w*|половин\w*|\bдо \d|part of|partly|up to|half",
    re.I,
)
_OWN_LIMITS = frozenset({"free_order", "points", "promo_code", "cash_compensation"})
_ONCE_ONLY = frozenset({"free_delivery", "promo_code", "points"})


@dataclass(frozen=True)
class TimeFrame:
    start: int
    end: int
    hours: float
    text: str


@dataclass(frozen=True)
class Commitment:
    kind: str
    match: Match
    time_frame: TimeFrame | None
    percent: float | None
    amount: float | None
    alternatives: tuple[str, ...] = ()  # other kinds the same words may mean ("send a new one")
    beyond: str = ""  # words that make it more than brand.yaml's kind: "on top", "double", "forever"


def time_frames(raw: str) -> list[TimeFrame]:
    frames = []
    for m in _TIME_NUMBER.finditer(raw):
        number = m.group(1).lower()
        value = _NUMBER_WORDS.get(number)
        value = float(number.replace(",", ".")) if value is None else value
        unit = m.group(2).lower()
        hours = next((h for pattern, h in _UNIT_HOURS if pattern.search(unit)), None)
        if hours is not None:
            frames.append(TimeFrame(m.start(), m.end(), value * hours, m.group()))
    for m in _TIME_BARE.finditer(raw):
        unit = m.group(1).lower()
        hours = next((h for pattern, h in _UNIT_HOURS if pattern.search(unit)), 24)
        frames.append(TimeFrame(m.start(), m.end(), hours, m.group()))
    frames += [TimeFrame(m.start(), m.end(), 0, m.group()) for m in _TIME_NOW.finditer(raw)]
    frames += [TimeFrame(m.start(), m.end(), 24, m.group()) for m in _TIME_TOMORROW.finditer(raw)]
    return sorted(frames, key=lambda f: f.start)


def sentence_bounds(case: Case, match: Match) -> tuple[int, int]:
    """Characters of the sentence holding the match, up to where the next one starts."""
    return _sentence_spans(case)[case.reply.tokens[match.first].sentence]


def _sentence_spans(case: Case) -> dict[int, tuple[int, int]]:
    """Sentence -> (its first token's start, the next sentence's first token's start), once per
    reply: asked per match, a scan of the tokens each time made checking quadratic in its length."""
    if "sentence_spans" not in case.memo:
        starts: dict[int, int] = {}
        for token in case.reply.tokens:
            starts.setdefault(token.sentence, token.start)
        order = list(starts)
        ends = [starts[s] for s in order[1:]] + [len(case.reply.raw)]
        case.memo["sentence_spans"] = {s: (starts[s], end) for s, end in zip(order, ends, strict=True)}
    return case.memo["sentence_spans"]


def _nearest(items: list, match: Match, bounds: tuple[int, int]):
    inside = [i for i in items if bounds[0] <= i.start and i.end <= bounds[1] + 2]
    after = [i for i in inside if i.start >= match.start]
    return after[0] if after else (inside[-1] if inside else None)


def extract_commitments(case: Case) -> list[Commitment]:
    if "commitments" not in case.memo:  # concrete_solution and policy_grounded both ask
        case.memo["commitments"] = _extract_commitments(case)
    return case.memo["commitments"]


def _extract_commitments(case: Case) -> list[Commitment]:
    raw = case.reply.raw
    frames = time_frames(raw)
    found = []
    taken: set[tuple[int, int]] = set()
    for kind, patterns in case.lexicon.commitments.items():
        for match in find_any(patterns, case.reply):
            if (match.start, match.end, kind) in taken:
                continue
            taken.add((match.start, match.end, kind))
            bounds = sentence_bounds(case, match)
            sentence = raw[bounds[0] : bounds[1]]
            frame = _nearest(frames, match, bounds)
            if frame is not None and frame.hours == 0 and _STARTING.search(sentence):
                frame = None  # "оформим возврат сегодня" starts the refund; it does not pay it today
            if kind in NEEDS_TIME_FRAME and frame is None:
                continue
            before = raw[max(bounds[0], match.start - 30) : match.start]  # a few words: "unable to offer a"
            if _NOT_OFFERED.search(before) or _REFUSED.search(sentence):
                continue  # "we're unable to offer a complimentary upgrade", "you were already compensated"
            if kind == "free_order" and _PART_OF_ORDER.search(sentence):
                continue  # free delivery of the next order, points that pay part of it: not the order itself
            if kind in NEEDS_OFFER and not _OFFER_CUE.search(sentence):
                continue  # "промокод действует на новую коллекцию" informs, it offers nothing
            numbers = _digits(sentence)
            percent = max((float(p.replace(",", ".")) for p in _PERCENT.findall(numbers)), default=None)
            amount = max((float(re.sub(r"[\s,.]", "", a)) for a in _POINTS.findall(numbers)), default=None)
            found.append(Commitment(kind, match, frame, percent, amount, beyond=_beyond(kind, sentence)))
    found += _cash_compensation(case, found)
    if case.situation != COMPLAINT:
        found = [
            Commitment("gift", c.match, c.time_frame, c.percent, c.amount) if c.kind in _REMEDIES_AS_GIFTS else c
            for c in found
        ]
    return [_with_alternatives(c, found) for c in sorted(found, key=lambda c: c.match.start)]


def _digits(sentence: str) -> str:
    """The sentence with amounts in words as digits: «пять тысяч» -> 5000, "thirty" -> 30."""

    def one(match: re.Match) -> str:
        return str(_SPELLED[next(k for k in _SPELLED if match.group(1).lower().startswith(k))])

    text = _MULTIPLIER_WORD.sub(lambda m: f"{_NUMBER_WORDS.get(m.group(1).lower(), 1)}*", sentence)
    text = _SPELLED_WORD.sub(one, text)
    return re.sub(r"(\d+)\*(\d+)", lambda m: str(int(m.group(1)) * int(m.group(2))), text)


def _beyond(kind: str, sentence: str) -> str:
    if kind == "refund" and (hit := _BEYOND.search(sentence)) and (_MONEY.search(sentence) or _DOUBLE.search(sentence)):
        return hit.group(0)
    if kind in _ONCE_ONLY and (hit := _FOREVER.search(sentence)):
        return hit.group(0)
    return ""


_DOUBLE = re.compile(r"вдвойне|в двойном|двойн\w*|тройн\w*|в тройном|double|twice|triple|two times", re.I)


def _cash_compensation(case: Case, found: list[Commitment]) -> list[Commitment]:
    """Money "for the trouble" is cash compensation; money in a refund sentence is the refund."""
    raw = case.reply.raw
    extra = []
    tokens = case.reply.tokens
    starts = [t.start for t in tokens]
    offering: dict[tuple[int, int], bool] = {}
    for money in _MONEY.finditer(raw):
        at = bisect.bisect_left(starts, money.start())
        if at == len(tokens):
            continue
        token = tokens[at]
        match = Match(None, token.index, token.index, money.start(), money.end())
        bounds = sentence_bounds(case, match)
        if bounds not in offering:  # one answer per sentence, however many amounts it holds
            sentence = raw[bounds[0] : bounds[1]]
            refund_here = any(c.kind == "refund" and bounds[0] <= c.match.start < bounds[1] for c in found)
            # money "on top of" a refund is compensation all the same
            on_top = refund_here and _BEYOND.search(sentence)
            offered = bool(_FOR_TROUBLE.search(sentence) and _OFFERING.search(sentence)) and not refund_here
            offered = offered and not _REFUSED.search(sentence)
            offering[bounds] = offered or bool(on_top)
        if offering[bounds]:
            extra.append(Commitment("cash_compensation", match, None, None, None))
    return extra


def _with_alternatives(commitment: Commitment, found: list[Commitment]) -> Commitment:
    """Other kinds the same words may mean ("send a new one": a replacement or re-shipping; "заменим
    молнию": a replacement or a repair). When one match holds another whole and one of them is a
    kind with its own limit ("следующий заказ за наш счёт" holds "за наш счёт", "credit 1000 points
    to your account" holds "points"), they are two promises, and neither excuses the other."""
    m = commitment.match
    others = tuple(
        sorted(
            {
                c.kind
                for c in found
                if c.kind != commitment.kind
                and c.match.start < m.end
                and m.start < c.match.end
                and not ({c.kind, commitment.kind} & _OWN_LIMITS and (_holds(m, c.match) or _holds(c.match, m)))
            }
        )
    )
    return Commitment(
        commitment.kind, m, commitment.time_frame, commitment.percent, commitment.amount, others, commitment.beyond
    )


def _holds(outer: Match, inner: Match) -> bool:
    return (
        outer.start <= inner.start and inner.end <= outer.end and (outer.end - outer.start) > (inner.end - inner.start)
    )


def violations(case: Case, commitments: list[Commitment]) -> list[tuple[Commitment, str]]:
    """Each commitment that brand.yaml does not allow, with the reason in a writer's words."""
    allowed = {c.kind: c for c in case.brand.commitments} if case.brand else {}
    problems = []
    for c in commitments:
        if any(kind in allowed and not _breaks(case, c, allowed[kind], kind) for kind in c.alternatives):
            continue  # the same words read as another, allowed promise
        what = KIND_WORDS.get(c.kind, c.kind)
        limit = allowed.get(c.kind)
        if limit is None:
            problems.append((c, f"promises {what}, which brand.yaml does not allow"))
            continue
        if c.beyond:
            problems.append((c, f"promises {what} and more ({c.beyond!r}), beyond what brand.yaml allows"))
        hours = c.time_frame.hours if c.time_frame else None
        if limit.max_percent is not None and c.kind == "promo_code" and c.percent and c.percent > limit.max_percent:
            problems.append((c, f"offers {c.percent:g} % where brand.yaml allows up to {limit.max_percent:g} %"))
        if limit.max_amount is not None and c.kind == "points" and c.amount and c.amount > limit.max_amount:
            problems.append((c, f"offers {c.amount:g} points where brand.yaml allows up to {limit.max_amount:g}"))
        takes = (limit.takes_days or 0) * 24 or (limit.takes_hours or 0)
        if takes and hours is not None and hours < takes:
            problems.append((c, f"promises {what} {c.time_frame.text!r}; it takes {_duration(takes)} (brand.yaml)"))
        if limit.window_days is not None and hours is not None and hours > limit.window_days * 24:
            problems.append((c, f"promises {what} for {c.time_frame.text!r}; the window is {limit.window_days:g} days"))
    return problems


def _breaks(case: Case, commitment: Commitment, limit, kind: str) -> bool:
    as_kind = Commitment(
        kind, commitment.match, commitment.time_frame, commitment.percent, commitment.amount, beyond=commitment.beyond
    )
    return bool(violations(case, [as_kind]))


def _duration(hours: float) -> str:
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"


@rule(
    "every promise it makes is allowed by the shop's commitments and within their limits.",
    applies="promises",
    decided_by=("rule",),
    rank=50,
)
def policy_grounded(case: Case) -> Verdict:
    commitments = extract_commitments(case)
    if not commitments:
        return Verdict("policy_grounded", NA, "makes no commitment")
    bad = violations(case, commitments)
    if bad:
        evidence = tuple(
            Evidence(
                c.match.start,
                max(c.match.end, c.time_frame.end if c.time_frame else 0),
                case.reply.raw[c.match.start : max(c.match.end, c.time_frame.end if c.time_frame else 0)],
            )
            for c, _ in bad
        )
        return Verdict("policy_grounded", FAIL, f"{bad[0][1]}: {quote(bad[0][0].match.quote(case.reply))}", evidence)
    kinds = sorted({KIND_WORDS.get(c.kind, c.kind) for c in commitments})
    return Verdict(
        "policy_grounded",
        PASS,
        f"promises only what brand.yaml allows ({', '.join(kinds)})",
        tuple(Evidence(c.match.start, c.match.end, c.match.quote(case.reply)) for c in commitments),
    )
