"""no_blame and empathy: how the reply treats the customer."""

from __future__ import annotations

from .case import COMPLAINT, Case
from .patterns import find_any
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote


@rule(
    "the reply does not blame the customer, deny the problem, argue, mock or lecture; polite blame "
    '("unfortunately you did not specify the size", "you should have read the description") fails.',
    decided_by=("head", "lexicon"),
    rank=10,
)
def no_blame(case: Case) -> Verdict:
    """Blame, denial and argument fail, polite or not; a sentence that clears the customer does not."""
    cleared = {m_sentence(case, m) for m in case.find(case.lexicon.exculpation)}
    patterns = case.lexicon.blame + (case.lexicon.lecture if case.situation == COMPLAINT else ())
    hits = [m for m in case.find(patterns, gap=3) if m_sentence(case, m) not in cleared]
    evidence = [Evidence(m.start, m.end, m.quote(case.reply)) for m in hits]
    lowered = case.reply.raw.lower().replace("ё", "е")
    for phrase in case.lexicon.never_say:
        at = lowered.find(phrase)
        if at >= 0:
            evidence.append(Evidence(at, at + len(phrase), case.reply.raw[at : at + len(phrase)]))
    if evidence:
        evidence.sort(key=lambda e: e.start)
        return Verdict(
            "no_blame", FAIL, f"blames the customer or denies the problem: {quote(evidence[0].text)}", tuple(evidence)
        )
    return Verdict("no_blame", PASS, "does not blame the customer")


@rule(
    "it apologises or acknowledges the customer's feelings; bare thanks fails.",
    applies="complaints",
    decided_by=("head", "lexicon"),
    rank=40,
)
def empathy(case: Case) -> Verdict:
    if case.situation != COMPLAINT:
        return Verdict("empathy", NA, f"not needed: the comment is {case.situation}, not a complaint")
    hits = find_any(case.lexicon.apology + case.lexicon.feeling, case.reply)
    if hits:
        first = hits[0]
        return Verdict(
            "empathy",
            PASS,
            f"acknowledges the customer: {quote(first.quote(case.reply))}",
            tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in hits),
        )
    thanks = case.find(case.lexicon.boilerplate)
    detail = f" ({quote(thanks[0].quote(case.reply))} is not an apology)" if thanks else ""
    return Verdict(
        "empathy",
        FAIL,
        f"no apology or acknowledgement of the customer's feelings{detail}",
        tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in thanks),
    )


def m_sentence(case: Case, match) -> int:
    return case.reply.tokens[match.first].sentence
