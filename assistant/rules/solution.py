"""concrete_solution: a remedy, or a named next step with a time frame; not "we'll look into it"."""

from __future__ import annotations

from .case import COMPLAINT, Case
from .commitments import extract_commitments, sentence_bounds, time_frames
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
    remedies = [c for c in extract_commitments(case) if c.kind not in NEEDS_TIME or c.time_frame]
    if remedies:
        first = remedies[0]
        return Verdict(
            "concrete_solution",
            PASS,
            f"offers a remedy: {quote(first.match.quote(case.reply))}",
            tuple(Evidence(c.match.start, c.match.end, c.match.quote(case.reply)) for c in remedies),
        )
    frames = time_frames(case.reply.raw)
    for action in case.find(case.lexicon.actions):
        low, high = sentence_bounds(case, action)
        frame = next((f for f in frames if low <= f.start and f.end <= high + 2), None)
        if frame is not None:
            span = (min(action.start, frame.start), max(action.end, frame.end))
            text = case.reply.raw[span[0] : span[1]]
            return Verdict(
                "concrete_solution",
                PASS,
                f"names a next step with a time frame: {quote(text)}",
                (Evidence(span[0], span[1], text),),
            )
    refusals = case.find(case.lexicon.refusals, negatable=False)
    vague = case.find(case.lexicon.vague)
    evidence = tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in refusals + vague)
    if refusals:
        return Verdict(
            "concrete_solution", FAIL, f"refuses instead of solving: {quote(refusals[0].quote(case.reply))}", evidence
        )
    if vague:
        return Verdict(
            "concrete_solution", FAIL, f"vague, no remedy or time frame: {quote(vague[0].quote(case.reply))}", evidence
        )
    return Verdict(
        "concrete_solution", FAIL, "offers no remedy (refund, replacement, discount) or next step with a time"
    )
