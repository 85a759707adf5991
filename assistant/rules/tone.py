"""no_blame and empathy: how the reply treats the customer.

Each looks for one thing in the reply (blame; an apology or acknowledgement) with its lexicon and
its learned head, and `learned.presence` decides from both."""

from __future__ import annotations

import re

from .case import COMPLAINT, Case
from .learned import found_verdict, presence
from .patterns import find_any
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote

_CONTRAST = re.compile(r"\b(но|однако|зато|but|however|although|though)\b", re.I)


def cleared_sentences(case: Case) -> tuple[tuple[int, int], ...]:
    """Where the reply clears the customer, owns up to the brand's failure, or simply apologises
    (with no "but" after it): no blame there."""
    spans = []
    for match in case.find(case.lexicon.exculpation, negatable=False):
        spans.append(_sentence_span(case, match))
    for match in find_any(case.lexicon.apology, case.reply):
        low, high = _sentence_span(case, match)
        if not _CONTRAST.search(case.reply.raw[low:high]):
            spans.append((low, high))
    return tuple(spans)


def _sentence_span(case: Case, match) -> tuple[int, int]:
    tokens = case.reply.sentence_tokens(m_sentence(case, match))
    return tokens[0].start, tokens[-1].end


def blame_hits(case: Case) -> list[Evidence]:
    """The lexicon's blame, denial and argument, minus sentences that clear the customer."""
    cleared = {m_sentence(case, m) for m in case.find(case.lexicon.exculpation)}
    patterns = case.lexicon.blame + (case.lexicon.lecture if case.situation == COMPLAINT else ())
    hits = [m for m in case.find(patterns, gap=3) if m_sentence(case, m) not in cleared]
    return [Evidence(m.start, m.end, m.quote(case.reply), pattern=m.pattern.source) for m in hits]


def never_say_hits(case: Case) -> list[Evidence]:
    """The brand's own forbidden phrases (`brand.yaml` never_say): they fail whatever a head thinks."""
    lowered = case.reply.raw.lower().replace("ё", "е")
    found = []
    for phrase in case.lexicon.never_say:
        at = lowered.find(phrase)
        if at >= 0:
            found.append(Evidence(at, at + len(phrase), case.reply.raw[at : at + len(phrase)], by="brand.yaml"))
    return found


@rule(
    "the reply does not blame the customer, deny the problem, argue, mock or lecture; polite blame "
    '("unfortunately you did not specify the size", "you should have read the description") fails.',
    decided_by=("head", "lexicon"),
    rank=10,
)
def no_blame(case: Case) -> Verdict:
    """Blame, denial and argument fail, polite or not, in the lexicon's words or as the head reads it."""
    forbidden = never_say_hits(case)
    if forbidden:
        return Verdict(
            "no_blame",
            FAIL,
            f"uses a phrase brand.yaml forbids: {quote(forbidden[0].text)}",
            tuple(forbidden),
            decided_by="brand.yaml",
        )
    found = presence(case, "no_blame", blame_hits(case), cleared_sentences(case))
    if found.present:
        return found_verdict("no_blame", FAIL, "blames the customer, denies the problem or argues", found)
    return Verdict("no_blame", PASS, "does not blame the customer", decided_by=found.decided_by)


def apology_hits(case: Case) -> list[Evidence]:
    return [
        Evidence(m.start, m.end, m.quote(case.reply), pattern=m.pattern.source)
        for m in find_any(case.lexicon.apology + case.lexicon.feeling, case.reply)
    ]


@rule(
    "it apologises or acknowledges the customer's feelings; bare thanks fails.",
    applies="complaints",
    decided_by=("head", "lexicon"),
    rank=40,
)
def empathy(case: Case) -> Verdict:
    if case.situation != COMPLAINT:
        return Verdict("empathy", NA, f"not needed: the comment is {case.situation}, not a complaint")
    found = presence(case, "empathy", apology_hits(case))
    if found.present:
        return found_verdict("empathy", PASS, "acknowledges the customer", found)
    thanks = case.find(case.lexicon.boilerplate)
    detail = f" ({quote(thanks[0].quote(case.reply))} is not an apology)" if thanks else ""
    return Verdict(
        "empathy",
        FAIL,
        f"no apology or acknowledgement of the customer's feelings{detail}",
        tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in thanks),
        decided_by=found.decided_by,
    )


def m_sentence(case: Case, match) -> int:
    return case.reply.tokens[match.first].sentence
