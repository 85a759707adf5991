"""Where a learned head and the lexicon both look for the same thing in a reply (blame, an apology,
a remedy, an invitation to private messages), decide whether it is there and say who found it.

How the two combine ("or", "head", "lexicon", "and") and the head's threshold were chosen on the
dev split of the real corpus and travel with the head's weights, so retraining can change them and
the code never guesses. So does the list of lexicon patterns that real replies showed to be wrong
more often than right ("distrusted"): the head decides those cases alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .case import Case
from .verdicts import Evidence, Verdict, quote

HEAD, LEXICON, BOTH = "head", "lexicon", "head and lexicon"


@dataclass(frozen=True)
class Presence:
    present: bool
    evidence: tuple[Evidence, ...]
    decided_by: str  # head | lexicon | head and lexicon
    score: float | None = None  # the head's best sentence probability


def presence(
    case: Case, rule: str, lexicon_hits: list[Evidence], cleared: tuple[tuple[int, int], ...] = ()
) -> Presence:
    """`cleared`: spans the lexicon knows cannot carry what the head looks for (a sentence in which the
    brand owns up to a failure blames nobody); head sentences overlapping them are not counted."""
    from ..heads import shipped_heads

    every = case.head_scores.get(rule, ())
    if not every:
        return Presence(bool(lexicon_hits), tuple(lexicon_hits), LEXICON)
    scored = [(s, p) for s, p in every if not any(s.start < e and b < s.end for b, e in cleared)]
    head = shipped_heads().reply[rule]
    distrusted = set(head.meta.get("distrusted", ()))
    lexicon_hits = [h for h in lexicon_hits if h.pattern not in distrusted]
    threshold = head.threshold()
    mode = head.meta.get("combine", "or")
    ranked = sorted(scored, key=lambda sp: -sp[1])
    # with every sentence ruled out, the head has nothing to point at and decides nothing
    best = head.reply_score([p for _, p in scored], case.reply.raw) if scored else 0.0
    by_head, by_lexicon = best >= threshold, bool(lexicon_hits)
    # the evidence, when the head found it: the sentences that reach the threshold, or the best one
    # when the whole reply decided; a head that did not find it points at nothing
    reaching = [Evidence(s.start, s.end, s.text, by=HEAD) for s, p in ranked if p >= threshold]
    sentences = (
        (reaching or [Evidence(ranked[0][0].start, ranked[0][0].end, ranked[0][0].text, by=HEAD)]) if by_head else []
    )
    present = {
        "or": by_head or by_lexicon,
        "and": by_head and by_lexicon,
        "head": by_head,
        "lexicon": by_lexicon,
    }[mode]
    if by_head == by_lexicon:
        decided = BOTH
    elif mode in ("head", "lexicon"):
        decided = mode
    elif mode == "or":
        decided = HEAD if by_head else LEXICON  # the one that found it
    else:
        decided = LEXICON if by_head else HEAD  # "and": the one that did not
    evidence = tuple(lexicon_hits) + tuple(s for s in sentences if not _covers(lexicon_hits, s))
    return Presence(present, evidence if present else (), decided, best)


def _covers(hits: list[Evidence], sentence: Evidence) -> bool:
    return any(sentence.start <= h.start and h.end <= sentence.end for h in hits)


def found_verdict(rule: str, status: str, what: str, found: Presence) -> Verdict:
    """The verdict of a rule whose head or lexicon found what it looks for: the first span quoted,
    every span as evidence, and who decided."""
    evidence = tuple(sorted(found.evidence, key=lambda e: e.start))
    return Verdict(rule, status, f"{what}: {quote(evidence[0].text)}", evidence, decided_by=found.decided_by)
