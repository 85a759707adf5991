""" "Shorter" that is shorter: cut a draft's optional sentences and the tails of long ones while every
rule that passed still passes, until it is at most SHORTER of its length (or no cut keeps the checklist).

A cut is kept only when the checklist stays as good, so a shorter draft never loses its apology,
its remedy or its invitation to private messages; the greeting stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .rules import PASS, CheckResult

# each variant aims at 65 % of its length, so the set comes out at most 70 % even when a variant that
# is already brief cannot lose more without losing a rule
SHORTER = 0.65
MIN_CLAUSE = 15  # characters the last clause before a cut must keep
# a sentence that opens with a subordinate clause needs its main clause: it is dropped whole or kept
_SUBORDINATE = re.compile(
    r"(?i)(если|когда|чтобы|хотя|пока|как только|поскольку|if|when|because|although|as soon as|while|since|once)\b"
)
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*|\n+")
_CLAUSE_END = re.compile(r"\s*(?::|;| —| –|,(?= )| and we\b)")


def shorten(text: str, check: Callable[[str], CheckResult], ratio: float = SHORTER) -> str:
    goal = len(text) * ratio
    result = check(text)
    kept = _passing(result)
    current = text
    while len(current) > goal:
        for candidate in _cuts(current, _bearing(result)):
            checked = check(candidate)
            if _passing(checked) >= kept:
                current, result = candidate, checked
                break
        else:
            return current  # no cut keeps the checklist: as short as it can honestly be
    return current


def _passing(result: CheckResult) -> set[str]:
    return {rule for rule, verdict in result.verdicts.items() if verdict.status == PASS}


def _bearing(result: CheckResult) -> list[tuple[int, int]]:
    """Where the passing rules found what they need (the apology, the remedy, the invitation)."""
    return [
        (e.start, e.end)
        for verdict in result.verdicts.values()
        if verdict.status == PASS
        for e in verdict.evidence
        if e.source == "reply"
    ]


def _cuts(text: str, bearing: list[tuple[int, int]]) -> list[str]:
    """Texts one cut shorter, the gentlest first: a sentence that carries nothing a rule found
    dropped (the shortest first: a sign-off, a closing line), then a sentence cut at a clause end (the smallest cut first), then
    the rest dropped."""
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()][1:]  # the greeting stays
    carries = {span: any(span[0] <= s < span[1] for s, _ in bearing) for span in spans}
    free = [_tidy(text[:a] + text[b:]) for a, b in sorted(spans, key=lambda sp: sp[1] - sp[0]) if not carries[(a, b)]]
    trims = []
    for start, end in spans:
        sentence = text[start:end]
        previous = 0
        for clause in _CLAUSE_END.finditer(sentence):
            # a cut must not leave a dangling scrap ("…: понимаем.", "Напишите нам, пожалуйста.")
            kept = sentence[: clause.start()].strip()
            if (
                clause.start() >= 12
                and len(sentence[previous : clause.start()].strip(" ,:;—–")) >= MIN_CLAUSE
                and not _SUBORDINATE.match(kept)  # "Если размера нет." says nothing on its own
            ):
                trims.append(_tidy(text[:start] + sentence[: clause.start()].rstrip(",") + "." + text[end:]))
            previous = clause.end()
    trims.sort(key=len, reverse=True)  # the gentlest cut first: keep as much of what was said as fits
    last = [_tidy(text[:a] + text[b:]) for a, b in spans if carries[(a, b)]]
    return [t for t in free + trims + last if t and t != text]


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]{2,}", " ", text)).strip()
