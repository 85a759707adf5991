"""The offline drafting mode: real drafts with no LLM, built from the brand's phrases and limits.

Each part of a reply (greeting, apology, remedy, invitation to private messages, closing) comes
from `prompts/composer/<lang>.yaml`; the remedy for the comment's topic is filled in with the
limits of `brand.yaml`, so an offline draft promises only what the brand allows. The best past
reply lends its closing line, so the team's own voice shows through.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from . import shipped_yaml
from .knowledge import Brand
from .languages import default_language, is_supported, name_in
from .rules.text import analyse
from .rules.text import lemmas as lemmas_of
from .triage import Triage

ANGLES = ("warm", "brief", "team voice")
STYLE_ANGLES = {"shorter": "brief", "warmer": "warm", "more formal": "team voice"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class ComposedDraft:
    text: str
    angle: str
    borrowed_from: str | None = None  # the past reply whose line was used


@functools.cache
def load_phrases(prompts_dir: Path, lang: str) -> dict:
    path = Path(prompts_dir) / "composer" / f"{lang if is_supported(lang) else default_language()}.yaml"
    return shipped_yaml.parse(path.read_text(encoding="utf-8"))


def brand_limits(brand: Brand | None) -> dict[str, str]:
    """The numbers a phrase may use, from brand.yaml; a missing commitment leaves its key out."""
    if brand is None:
        return {}
    by_kind = {c.kind: c for c in brand.commitments}
    values: dict[str, float | None] = {
        "refund_days": getattr(by_kind.get("refund"), "takes_days", None),
        "replacement_days": getattr(by_kind.get("replacement"), "takes_days", None),
        "reshipping_days": getattr(by_kind.get("reshipping"), "takes_days", None),
        "exchange_days": getattr(by_kind.get("exchange"), "window_days", None),
        "promo_percent": min(10, by_kind["promo_code"].max_percent)
        if getattr(by_kind.get("promo_code"), "max_percent", None)
        else None,
        "callback_hours": getattr(by_kind.get("callback"), "takes_hours", None),
        "dm_hours": getattr(by_kind.get("dm_answer"), "takes_hours", None),
        "points": min(300, by_kind["points"].max_amount)
        if getattr(by_kind.get("points"), "max_amount", None)
        else None,
    }
    if "free_delivery" not in by_kind:
        values["free_delivery"] = None
    return {k: f"{v:g}" for k, v in values.items() if v is not None}


def subject_of(comment: str, lang: str, phrases: dict) -> str | None:
    """What the customer wrote about, as a dictionary word: the item ("свитер", "coat") if named,
    else the first word of the shop's vocabulary ("размер", "доставка")."""
    tokens = analyse(comment).tokens
    items = set(phrases.get("items", ()))
    for token in tokens:
        found = items & token.lemmas
        if found:
            return min(found, key=lambda f: (len(f), f))  # one answer whatever the hash order
    for token in tokens:
        for word in phrases.get("topic_words", ()):
            if word in token.lemmas:
                return word
    return None


def _inflect(word: str, case: str | None, lang: str) -> str:
    if lang != "ru" or not case:
        return word
    from .rules.text import _morph

    for parse in _morph().parse(word):
        if parse.normal_form == word and "NOUN" in parse.tag:
            inflected = parse.inflect({case})
            if inflected:
                return inflected.word
    return word


def fill(template: str, values: dict[str, str], lang: str) -> str | None:
    """The phrase with its placeholders filled, or None when a value is unknown."""
    missing = False

    def replace(match: re.Match) -> str:
        nonlocal missing
        key, case = match.group(1), match.group(2)
        if key not in values:
            missing = True
            return ""
        return _inflect(values[key], case, lang) if key in ("subject", "item") else values[key]

    text = _PLACEHOLDER.sub(replace, template)
    return None if missing else text


def pick(options, index: int, values: dict, lang: str) -> str | None:
    """The first usable phrase, starting from `index`, so variants differ when they can. A phrase
    may be `{when: [words], text: ...}`: when one of its words is in the comment, only such
    phrases are used ("баллы пропали" is answered about points, not promo codes)."""
    options = _applicable(list(options or ()), values.get("_lemmas", frozenset()))
    for offset in range(len(options)):
        text = fill(options[(index + offset) % len(options)], values, lang)
        if text is not None:
            return text
    return None


def _applicable(options: list, comment_lemmas: frozenset[str]) -> list[str]:
    """The phrases of the first `when` group that the comment matches, else the plain ones."""
    for option in options:
        if isinstance(option, dict) and any(_word_in(word, comment_lemmas) for word in option.get("when", ())):
            group = option["when"]
            return [o["text"] for o in options if isinstance(o, dict) and o.get("when") == group]
    return [o for o in options if isinstance(o, str)]


def compose(
    comment: str,
    triage: Triage,
    brand: Brand | None,
    channel: str | None,
    name: str | None,
    prompts_dir: Path,
    n: int = 3,
    past_replies: list[dict] | None = None,
    style: str | None = None,
) -> list[ComposedDraft]:
    """`style` is the writer's request when regenerating: "shorter", "warmer" or "more formal"
    give every variant that angle (with different wording)."""
    lang = triage.lang
    phrases = load_phrases(Path(prompts_dir), lang)
    values = brand_limits(brand)
    topic = triage.topic
    values["_lemmas"] = comment_lemmas(comment)
    written_in = analyse(comment).lang
    if written_in != lang and is_supported(written_in):
        # the writer asked for the other language: read the comment with its own language's words,
        # then say its subject and answer its question in the reply's
        own = load_phrases(Path(prompts_dir), written_in)
        subject = translated(subject_of(comment, written_in, own), phrases)
        values["_answer_at"] = _answer_at(own, values["_lemmas"])
    else:
        subject = subject_of(comment, lang, phrases)
    fallback = phrases["subject_fallback"]
    values["subject"] = subject or fallback.get(topic, fallback["default"])
    values["item"] = subject if subject in phrases.get("items", ()) else fallback["default"]
    values["_formal"] = style == "more formal"
    shown_name = name_in(name, lang)
    if shown_name:
        values["name"] = shown_name
    channel_info = brand.channels.get(channel) if brand and channel else None
    values["dm"] = (channel_info.dm.get(lang) if channel_info else None) or (
        "личные сообщения" if lang == "ru" else "DM"
    )
    sign_off = brand.sign_off.get(lang, "") if brand else ""
    borrowed = _borrowable_closing(past_replies or [], lang, sign_off)

    drafts = []
    for index in range(max(1, n)):
        angle = STYLE_ANGLES.get(style or "", ANGLES[index % len(ANGLES)])
        warmth = (
            pick(phrases["warmth"][_warmth_kind(triage)], index, values, lang)
            if style == "warmer" and phrases.get("warmth")
            else None
        )
        parts = _with(_parts(triage, phrases, values, lang, channel, index, angle), warmth)
        used = None
        if angle == "team voice" and borrowed:
            parts = [p for p in parts if p not in _closings(phrases)] + [borrowed[0]]
            used = borrowed[1]
        if sign_off and angle != "brief":
            parts.append(f"\n{sign_off}")
        text = polish(" ".join(p for p in parts if p).replace(" \n", "\n\n"), lang)
        if any(d.text == text for d in drafts):  # nothing new to borrow: vary the wording instead
            shifted = _with(_parts(triage, phrases, values, lang, channel, index, angle, remedy_shift=1), warmth)
            text = polish(" ".join(p for p in shifted if p) + (f"\n\n{sign_off}" if sign_off else ""), lang)
        if style == "more formal":
            text = formal(text, phrases)
        drafts.append(ComposedDraft(text, angle, used))
    return drafts


def _with(parts: list[str], warmth: str | None) -> list[str]:
    """ "Warmer": one more sentence of care after the first thing said (the apology, the thanks)."""
    return [*parts[:2], warmth, *parts[2:]] if warmth else parts


def _warmth_kind(triage: Triage) -> str:
    if triage.sentiment == "negative" or triage.doubtful_complaint or triage.complaint_risk:
        return "complaint"
    return "praise" if triage.sentiment == "positive" else "question"


def formal(text: str, phrases: dict) -> str:
    """The brand's formal register: the phrase file's replacements, in order, on whole words."""
    for plain, formal_form in (phrases.get("formal") or {}).items():
        text = re.sub(rf"(?<!\w){re.escape(plain)}", formal_form, text)
    return text


def polish(text: str, lang: str) -> str:
    """Small grammar after filling numbers in: "в течение часа", "со свитером", "within an hour"."""
    if lang == "ru":
        text = text.replace("в течение 1 часа", "в течение часа")
        text = re.sub(r"\b([Сс]) (?=[сзшжщ][бвгджзклмнпрстфхцчшщ])", r"\1о ", text)
    else:
        text = text.replace("within 1 hour", "within an hour")
    return text


def _closings(phrases: dict) -> set[str]:
    return {c for group in phrases["closing"].values() for c in group}


def _parts(
    triage: Triage,
    phrases: dict,
    values: dict,
    lang: str,
    channel: str | None,
    index: int,
    angle: str,
    remedy_shift: int = 0,
) -> list[str]:
    """The sentences of one variant; `remedy_shift` pairs this variant's wording with another
    remedy, so a third variant differs from the first two even with two phrasings a slot."""
    register = "formal_" if values.get("_formal") and "formal_with_name" in phrases["greeting"] else ""
    greeting = pick(
        phrases["greeting"][f"{register}with_name" if "name" in values else f"{register}without_name"],
        index,
        values,
        lang,
    )
    parts = [greeting]
    # the team-voice variant (the third) pairs the first greeting with the second wording, so it is
    # never the first variant again
    other = 1 if angle == "team voice" else 0
    if any(f.kind == "instruction" for f in triage.injection) and "manipulation" in phrases:
        parts.append(pick(phrases["manipulation"], index, values, lang))
        parts.append(fill(phrases["manipulation_help"], values, lang))
        return parts
    if (triage.sentiment == "positive" and triage.complaint_risk) or triage.doubtful_complaint:
        # praise in its words, a complaint by some sign (or a complaint the head is unsure of, in words
        # of praise): never thank for kind words a customer who may be complaining, and do not answer
        # praise with a refund; thank for writing, say sorry if something went wrong, open private messages
        parts.append(pick(phrases["mixed"], index + other, values, lang))
        parts.append(fill(phrases["dm_invitation"]["email" if channel == "email" else "default"], values, lang))
        if angle != "brief":
            parts.append(pick(phrases["closing"]["complaint"], index, values, lang))
        return parts
    if triage.sentiment == "positive":
        has_subject = values["subject"] not in phrases["subject_fallback"].values()
        praise = phrases["praise"] if has_subject else phrases["praise_without_subject"]
        parts.append(pick(praise, index + other, values, lang))
        if angle != "brief":
            parts.append(pick(phrases["praise_question"], index + other, values, lang))
            parts.append(pick(phrases["closing"]["praise"], index, values, lang))
        return parts
    if triage.sentiment != "negative":
        answer = _answer(phrases, values, lang, index)
        if answer:
            parts.append(pick(phrases["question_thanks"], index, values, lang))
            parts.append(answer)
        else:
            parts.append(pick(phrases["question"], index, values, lang))
        return parts
    if triage.personal_data:
        parts.append(phrases["personal_data_hidden"])
    topic = phrase_topic(triage)
    remedies = phrases["remedy"].get(topic) or phrases["remedy"]["default"]
    empathy = pick(phrases["empathy"].get(topic) or phrases["empathy"]["default"], index, values, lang)
    remedy = pick(remedies, index + remedy_shift, values, lang) or pick(phrases["remedy"]["default"], 0, values, lang)
    # the team-voice variant says what will be done first, then the apology: another approach, not
    # only other words (and never the first variant again when the phrase bank has two wordings)
    parts += [remedy, empathy] if angle == "team voice" else [empathy, remedy]
    invitation = phrases["dm_invitation"]["email" if channel == "email" else "default"]
    parts.append(fill(invitation, values, lang))
    if angle != "brief":
        parts.append(pick(phrases["closing"]["complaint"], index, values, lang))
    return parts


def comment_lemmas(comment: str) -> frozenset[str]:
    return frozenset(lemma for t in analyse(comment).tokens for lemma in t.lemmas)


def phrase_topic(triage: Triage) -> str:
    """Whose phrases answer: harm to a person overrides the topic (care first, then the item)."""
    return "safety" if "safety" in triage.signals else triage.topic


def _answer(phrases: dict, values: dict, lang: str, index: int) -> str | None:
    """The policy's answer to what the question asks about (size, returns, care…), if any."""
    at = values["_answer_at"] if "_answer_at" in values else _answer_at(phrases, values.get("_lemmas", frozenset()))
    answers = phrases.get("answers", ())
    return pick(answers[at]["answer"], index, values, lang) if at is not None and at < len(answers) else None


def _answer_at(phrases: dict, lemmas: frozenset[str]) -> int | None:
    """Which answer (by its place: the languages' answer lists run in the same order) the question asks for."""
    for at, entry in enumerate(phrases.get("answers", ())):
        if any(_word_in(word, lemmas) for word in entry["when"]):
            return at
    return None


def translated(word: str | None, phrases: dict) -> str | None:
    """The same thing in the reply's language, from the shop's bilingual synonym groups ("пальто" ->
    "coat"); None when no group knows it."""
    if not word:
        return None
    from .rules.lexicon import synonym_lists

    known = list(phrases.get("items", ())) + list(phrases.get("topic_words", ()))
    for group in synonym_lists():
        if word in group:
            return next((w for w in group if w in known), None)
    return None


def _word_in(word: str, lemmas: frozenset[str]) -> bool:
    return bool(lemmas_of(word) & lemmas) if " " not in word else False


# numbers, quotes and ordinals tie a line to its own case ("the fourth order", "№ 3"), and so does a
# capitalised word after the first (a city, a person: "We want your family warm in Murmansk!")
_NAMED = re.compile(r"(?<=\s)[A-ZА-ЯЁ][a-zа-яё]+")
_SPECIFIC = re.compile(
    r"\d|[«»\"№]|\b(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|first|second|third|fourth|fifth|sixth)\w*", re.I
)


def _borrowable_closing(past_replies: list[dict], lang: str, sign_off: str) -> tuple[str, str] | None:
    """The last line of the best past reply, when it is general enough to fit another comment:
    no numbers, names or quotes, and none of the shop's subject words (sizes, payment, couriers)."""
    from .rules.lexicon import load_lexicon

    subject_words = load_lexicon().synonym_groups
    for reply in past_replies:
        if reply.get("lang") != lang:
            continue
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", reply["text"].strip()) if s.strip()]
        for sentence in reversed(sentences[1:]):
            if "\n" in sentence or _SPECIFIC.search(sentence) or _NAMED.search(sentence) or len(sentence) > 140:
                continue
            if (sign_off and sign_off in sentence) or (
                reply.get("customer_name") and reply["customer_name"] in sentence
            ):
                continue
            if any(lemma in subject_words for t in analyse(sentence).tokens for lemma in t.lemmas):
                continue
            return sentence, reply["id"]
    return None
