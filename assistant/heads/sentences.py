"""Cut a reply into the sentences the reply heads score, with their character spans.

A head's verdict is only as useful as its evidence: the writer sees which sentence blamed or
apologised, so a sentence keeps its place in the reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"(?<=[.!?…])[\"»”)\]]*\s+|\n+|(?<=[.!?…])(?=[А-ЯЁA-Z])")
MAX_SENTENCE_CHARS = 400  # a run-on "sentence" is cut so one encoder call stays short
MAX_SENTENCES = 40  # beyond this a reply is a letter; the rest is not scored


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    position = 0
    for boundary in [*_END.finditer(text), None]:
        stop = boundary.start() if boundary else len(text)
        _add(text, position, stop, sentences)
        if boundary:
            position = boundary.end()
        if len(sentences) >= MAX_SENTENCES:
            break
    return sentences[:MAX_SENTENCES]


def _add(text: str, start: int, stop: int, out: list[Sentence]) -> None:
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    while stop - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        out.append(Sentence(text[start:cut], start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    if stop > start and any(ch.isalnum() for ch in text[start:stop]):
        out.append(Sentence(text[start:stop], start, stop))
