"""invite_dm and no_public_personal_data: move the conversation private, keep personal data out of public."""

from __future__ import annotations

import re

from .case import COMPLAINT, Case
from .commitments import sentence_bounds
from .learned import found_verdict, presence
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote

PRIVATE_CHANNELS = frozenset({"email"})

_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s\-()]{8,16}\d(?!\d)")
_HOTLINE = re.compile(r"^(?:\+7|8)?[\s\-(]*800")  # the shop's own free line is not personal data
# bounded parts (an address's local part is at most 64 characters): unbounded, every position of a long
# word was tried against the rest of the text (quadratic time on a pasted wall of text)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,63}")
_ORDER = re.compile(
    r"(?:№|#|\bномер\w*\s+заказ\w*|\bзаказ\w*\s*(?:№|#)?|\border\s*(?:#|no\.?|number)?)\s*(\d[\d\-]{4,})", re.I
)
_CARD = re.compile(r"(?<!\d)(?:\d{4}[\s-]?){3}\d{1,7}(?!\d)")
_ADDRESS = re.compile(
    r"\b(?:ул\.|улиц\w+|проспект\w*|пр-т|переул\w+|бульвар\w*|шоссе|кв\.|квартир\w+|"
    r"street|st\.|avenue|ave\.|road|rd\.|apt\.?|apartment)\s*[\w\s.,-]{0,30}?\d+",
    re.I,
)
_MASKED_CARD = re.compile(r"(?:[•*xх]{2,}\s*){1,3}\d{4}\b", re.I)
_PERSONAL = [
    ("phone number", _PHONE),
    ("e-mail", _EMAIL),
    ("order number", _ORDER),
    ("card number", _CARD),
    ("masked card number", _MASKED_CARD),
    ("address", _ADDRESS),
]


@rule(
    "it invites the customer to continue in private messages (DM, e-mail, seller chat, phone).",
    applies="complaints",
    decided_by=("head", "lexicon"),
    rank=30,
)
def invite_dm(case: Case) -> Verdict:
    refused = case.find(case.lexicon.dm_refused, negatable=False, gap=3)
    if case.situation != COMPLAINT:
        return Verdict("invite_dm", NA, f"not needed: the comment is {case.situation}, not a complaint")
    found = presence(case, "invite_dm", dm_hits(case, refused), silent_sentences(case))
    if found.present:
        return found_verdict("invite_dm", PASS, "invites to a private channel", found)
    if case.channel_name in PRIVATE_CHANNELS:
        return Verdict("invite_dm", PASS, f"{case.channel_name} is already a private conversation")
    if refused:
        return Verdict(
            "invite_dm",
            FAIL,
            f"turns private messages away: {quote(refused[0].quote(case.reply))}",
            tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in refused),
            decided_by=found.decided_by,
        )
    where = case.channel.dm.get(case.reply.lang) if case.channel else None
    hint = f" (e.g. «{where}»)" if where else ""
    return Verdict(
        "invite_dm",
        FAIL,
        f"does not invite the customer to continue in private messages{hint}",
        decided_by=found.decided_by,
    )


# An invitation names a way to get in touch; a sentence with none of these is not one, whatever a
# head makes of it ("we'll refund you within 10 days" often sits beside "DM us" in real replies).
_CONTACT = re.compile(
    r"dm|direct|директ|дайрект|messag|inbox|\bpm\b|chat|чат|mail|почт|письм|phone|call|звон|телефон|"
    r"contact|связ|reach|touch|напиш|пиш|write|writ|личк|\bлс\b|личн|private|whatsapp|вотсап|telegram|"
    r"телеграм|менеджер|manager|reply to|ответьте|обрат|обращ|поддержк|support|сообщени",
    re.I,
)


def silent_sentences(case: Case) -> tuple[tuple[int, int], ...]:
    """Sentences that name no way to get in touch, or turn private messages away ("в личку не
    пишите"): no invitation there."""
    from ..heads.sentences import split_sentences

    refused = case.find(case.lexicon.dm_refused, negatable=False, gap=3)
    return tuple(
        (s.start, s.end)
        for s in split_sentences(case.reply.raw)
        if not _CONTACT.search(s.text) or any(s.start <= r.start < s.end for r in refused)
    )


def dm_hits(case: Case, refused=None) -> list[Evidence]:
    """The lexicon's invitations to a private channel, minus those it turns away ("не пишите в ЛС")."""
    refused = case.find(case.lexicon.dm_refused, negatable=False, gap=3) if refused is None else refused
    return [
        Evidence(m.start, m.end, m.quote(case.reply), pattern=m.pattern.source)
        for m in case.find(case.lexicon.dm, gap=3)
        if not any(r.start <= m.start < r.end + 1 for r in refused)
    ]


def personal_data_in(raw: str) -> list[tuple[str, re.Match]]:
    found = []
    for label, pattern in _PERSONAL:
        for m in pattern.finditer(raw):
            digits = len(re.sub(r"\D", "", m.group()))
            if label == "phone number" and (
                not 10 <= digits <= 13
                or _HOTLINE.match(m.group().strip())
                or _ORDER.search(raw, max(0, m.start() - 20), m.end())
            ):
                continue
            if label == "card number" and len(re.sub(r"\D", "", m.group())) < 13:
                continue
            found.append((label, m))
    return found


@rule(
    "it neither asks for nor repeats personal data (phone, address, e-mail, order or card number) in public.",
    applies="public channels",
    decided_by=("rule",),
    rank=80,
)
def no_public_personal_data(case: Case) -> Verdict:
    if case.channel_name in PRIVATE_CHANNELS:
        return Verdict("no_public_personal_data", NA, f"{case.channel_name} is a private channel")
    evidence = []
    messages = []
    for label, m in personal_data_in(case.reply.raw):
        evidence.append(Evidence(m.start(), m.end(), m.group()))
        messages.append(f"repeats a {label} in public: {quote(m.group())}")
    dm_anywhere = bool(case.find(case.lexicon.dm, gap=3))
    requests = case.find(case.lexicon.pd_requests)
    refused = [m for m in case.find(case.lexicon.pd_requests, negatable=False) if m not in requests]
    for request in requests:  # "не пишите это здесь" is not a request
        low, high = sentence_bounds(case, request)
        data = [m for m in case.find(case.lexicon.pd_data, negatable=False) if low <= m.start < high]
        if not data:
            continue
        public_here = [
            m
            for m in case.find(case.lexicon.pd_public_places, negatable=False)
            if low <= m.start < high and not any(0 <= m.first - r.last <= 4 for r in refused)
        ]
        private_here = any(low <= m.start < high for m in case.find(case.lexicon.dm, gap=3))
        if private_here and not public_here:
            continue  # asked for in private: "напишите номер заказа в директ"
        if public_here or not dm_anywhere:
            text = case.reply.raw[low:high].strip()
            evidence.append(Evidence(low, high, text))
            messages.append(f"asks for personal data in public: {quote(text)}")
    if evidence:
        return Verdict("no_public_personal_data", FAIL, messages[0], tuple(evidence))
    return Verdict("no_public_personal_data", PASS, "keeps personal data out of the public thread")
