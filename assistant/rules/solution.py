"""concrete_solution: a remedy, or a named next step with a time frame; not "we'll look into it"."""

from __future__ import annotations

from .case import COMPLAINT, Case
from .commitments import extract_commitments, sentence_bounds, time_frames
from .learned import found_verdict, presence
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote

# Promises that are a remedy only with a time frame: "we will call you" alone is not a plan.
NEEDS_TIME = frozenset({"callback", "dm_answer"})


@rule(
    "it offers a concrete remedy (refund, replacement, exchange, re-shipping, discount, points) or a named "
    'action with a time frame; vague promises ("we\'ll look into it") fail.',
    applies="complaints",
    decided_by=("head", "lexicon"),
    rank=20,
)
def concrete_solution(case: Case) -> Verdict:
    if case.situation != COMPLAINT:
        return Verdict("concrete_solution", NA, f"not needed: the comment is {case.situation}, not a complaint")
    found = presence(case, "concrete_solution", remedy_hits(case), refusal_sentences(case))
    if found.present:
        return found_verdict("concrete_solution", PASS, "offers a remedy or a next step with a time frame", found)
    refusals = case.find(case.lexicon.refusals, negatable=False)
    vague = case.find(case.lexicon.vague)
    evidence = tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in refusals + vague)
    if refusals:
        message = f"refuses instead of solving: {quote(refusals[0].quote(case.reply))}"
    elif vague:
        message = f"vague, no remedy or time frame: {quote(vague[0].quote(case.reply))}"
    else:
        message = "offers no remedy (refund, replacement, discount) or next step with a time"
    return Verdict("concrete_solution", FAIL, message, evidence, decided_by=found.decided_by)


def refusal_sentences(case: Case) -> tuple[tuple[int, int], ...]:
    """Sentences that refuse ("вернуть деньги за этот товар мы не можем"): they name a remedy to deny
    it, so a head that reads the remedy's words there is wrong."""
    spans = []
    for match in case.find(case.lexicon.refusals, negatable=False):
        low, high = sentence_bounds(case, match)
        spans.append((low, high))
    return tuple(spans)


def remedy_hits(case: Case) -> list[Evidence]:
    """The lexicon's remedies, and named actions with a time frame in the same sentence."""
    hits = [
        Evidence(c.match.start, c.match.end, c.match.quote(case.reply), pattern=_source(c.match))
        for c in extract_commitments(case)
        if c.kind not in NEEDS_TIME or c.time_frame
    ]
    frames = time_frames(case.reply.raw)
    for action in case.find(case.lexicon.actions):
        low, high = sentence_bounds(case, action)
        frame = next((f for f in frames if low <= f.start and f.end <= high + 2), None)
        if frame is not None:
            span = (min(action.start, frame.start), max(action.end, frame.end))
            hits.append(Evidence(span[0], span[1], case.reply.raw[span[0] : span[1]], pattern=_source(action)))
    return hits


def _source(match) -> str:
    return match.pattern.source if match.pattern is not None else "money for the trouble"
