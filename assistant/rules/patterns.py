"""Phrase patterns over lemmas: the shared matching machinery of the rules.

A pattern is a string of slots separated by spaces: "вы не указать", "написать|писать мы".
A slot matches a token that has one of its words among the token's lemmas; `#` matches a
number. Slots must appear in order within one sentence, with at most `gap` other words between
neighbours, so "вы, к сожалению, не указали" still meets "вы не указать"; a `*` between two
slots allows a few more words there ("спасибо за * отзыв"); a word written "=напишите" matches
that exact form only.

A match is cancelled when it is negated: a negation word right before it (or before an
auxiliary right before it: "не можем вернуть"), or inside its gaps. Negations that are slots of
the pattern itself ("не наша вина") do not cancel it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .text import Text, Token, lemmas

NEGATIONS = frozenset({"не", "ни", "нет", "not", "never", "no", "cannot", "nor", "without", "без"})
AUXILIARIES = frozenset(
    {
        "мочь",
        "можем",
        "будем",
        "быть",
        "стать",
        "стоить",
        "нужно",
        "надо",
        "хотеть",
        "собираться",
        "смочь",
        "do",
        "doe",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "are",
        "is",
        "was",
        "were",
        "be",
        "have",
        "has",
        "should",
        "shall",
        "may",
        "might",
        "must",
    }
)


WIDE_GAP = 5


@dataclass(frozen=True)
class Pattern:
    source: str
    slots: tuple[frozenset[str], ...]
    gaps: tuple[int, ...]  # words allowed before each slot (the first is unused)


@dataclass(frozen=True)
class Match:
    pattern: Pattern
    first: int  # token index
    last: int
    start: int  # character offsets in the text
    end: int

    def quote(self, text: Text) -> str:
        return text.raw[self.start : self.end]


@functools.lru_cache(maxsize=8192)
def compile_pattern(source: str, gap: int = 2) -> Pattern:
    slots: list[frozenset[str]] = []
    gaps: list[int] = []
    wide = False
    for slot in source.lower().replace("ё", "е").split():
        if slot == "*":
            wide = True
            continue
        gaps.append(gap + WIDE_GAP if wide else gap)
        wide = False
        if slot == "#":
            slots.append(frozenset({slot}))
            continue
        words = set()
        for word in slot.split("|"):
            if word.startswith("="):  # this exact form only: "=напишите" is not "написано"
                words.add(word)
                continue
            found = lemmas(word)
            # a pattern word names itself and its dictionary form, not every reading of it
            words |= {word} | ({min(found, key=lambda f: (len(f), f))} if word.isascii() else found)
        slots.append(frozenset(words))
    return Pattern(source, tuple(slots), tuple(gaps))


def _slot_matches(slot: frozenset[str], token: Token) -> bool:
    if "#" in slot:
        return token.text[:1].isdigit()
    return not slot.isdisjoint(token.lemmas) or f"={token.text}" in slot


def is_negation(token: Token) -> bool:
    return token.text in NEGATIONS or token.text.endswith("n't") or token.text.endswith("n’t")


def find(pattern: Pattern, text: Text, negatable: bool = True) -> list[Match]:
    """Every non-overlapping, non-negated match of the pattern in the text."""
    tokens = text.tokens
    candidates = sorted({i for word in pattern.slots[0] for i in text.index.get(word.lstrip("="), ())})
    matches: list[Match] = []
    taken_until = -1
    for i in candidates:
        if i <= taken_until:
            continue
        positions = _match_from(pattern, tokens, i)
        if positions and not (negatable and _negated(tokens, positions)):
            first, last = positions[0], positions[-1]
            matches.append(Match(pattern, first, last, tokens[first].start, tokens[last].end))
            taken_until = last
    return matches


def _match_from(pattern: Pattern, tokens: tuple[Token, ...], i: int) -> list[int] | None:
    if not _slot_matches(pattern.slots[0], tokens[i]):
        return None
    positions = [i]
    sentence = tokens[i].sentence
    for slot, gap in zip(pattern.slots[1:], pattern.gaps[1:], strict=True):
        found = None
        for j in range(positions[-1] + 1, min(len(tokens), positions[-1] + gap + 2)):
            if tokens[j].sentence != sentence:
                break
            if _slot_matches(slot, tokens[j]):
                found = j
                break
        if found is None:
            return None
        positions.append(found)
    return positions


def _negated(tokens: tuple[Token, ...], positions: list[int]) -> bool:
    own = set(positions)
    first = positions[0]
    if any(is_negation(tokens[j]) and j not in own for j in range(first, positions[-1] + 1)):
        return True
    before = [j for j in (first - 1, first - 2) if j >= 0 and tokens[j].sentence == tokens[first].sentence]
    if before and is_negation(tokens[before[0]]):
        return True
    return len(before) == 2 and is_negation(tokens[before[1]]) and not AUXILIARIES.isdisjoint(tokens[before[0]].lemmas)


@functools.lru_cache(maxsize=256)
def _by_head(sources: tuple[str, ...], gap: int) -> dict[str, tuple[Pattern, ...]]:
    """The patterns of a list, filed under each word their first slot accepts."""
    heads: dict[str, list[Pattern]] = {}
    for source in sources:
        pattern = compile_pattern(source, gap)
        for word in pattern.slots[0]:
            heads.setdefault(word.lstrip("="), []).append(pattern)
    return {word: tuple(patterns) for word, patterns in heads.items()}


def find_any(sources: list[str] | tuple[str, ...], text: Text, negatable: bool = True, gap: int = 2) -> list[Match]:
    """Matches of any of the patterns; only patterns whose first word occurs in the text are tried."""
    heads = _by_head(tuple(sources), gap)
    candidates: dict[str, Pattern] = {}
    for word in text.index:
        for pattern in heads.get(word, ()):
            candidates[pattern.source] = pattern
    found: list[Match] = []
    for pattern in candidates.values():
        found += find(pattern, text, negatable)
    # a full order: lemma sets iterate in hash order, which changes from run to run, and the first
    # of two matches at one place decides which commitment a sentence makes
    return sorted(found, key=lambda m: (m.start, -m.end, m.pattern.source))
