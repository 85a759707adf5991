"""Character n-grams of a text, as the n-gram half of every head reads them.

Training hands this same function to scikit-learn's TfidfVectorizer, and the product computes the
features with it and numpy, so the two can never drift apart. Within-word n-grams (with a space
on each side of a word) catch what an encoder of meaning misses: a swear word, "возврат", "DM us",
"((" and the endings of Russian words.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

NGRAM_RANGE = (2, 5)
ROWS_KEPT = 20_000  # sparse rows kept per space (a few KB each at most)
_SPACES = re.compile(r"\s+")


def char_ngrams(text: str) -> list[str]:
    text = _SPACES.sub(" ", text.lower().replace("ё", "е"))
    low, high = NGRAM_RANGE
    grams = []
    for word in text.split(" "):
        if not word:
            continue
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


@dataclass(frozen=True)
class NgramSpace:
    """A vocabulary with its inverse document frequencies: texts in, L2-normalised TF-IDF rows out
    (sublinear term frequency, as in training)."""

    index: dict[str, int]
    idf: np.ndarray
    kept_rows: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)

    @classmethod
    def from_arrays(cls, vocabulary: str, idf: np.ndarray) -> NgramSpace:
        grams = vocabulary.split("\n") if vocabulary else []
        return cls({g: i for i, g in enumerate(grams)}, idf.astype(np.float32))

    def vocabulary(self) -> str:
        return "\n".join(sorted(self.index, key=self.index.get))

    def rows(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each text, (column indices, values) of its sparse row. The four reply heads share one
        space and read the same sentences several times per check: rows are kept per text."""
        cache = self.kept_rows
        out = []
        for text in texts:
            row = cache.get(text)
            if row is None:
                row = self._row(text)
                cache[text] = row
                if len(cache) > ROWS_KEPT:
                    cache.popitem(last=False)
            out.append(row)
        return out

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in char_ngrams(text):
            column = self.index.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = np.array([(1.0 + math.log(counts[c])) for c in counts], dtype=np.float32) * self.idf[columns]
        norm = float(np.linalg.norm(values))
        return columns, values / norm if norm else values

    def logits(self, texts: list[str], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """(texts, classes) raw scores of a linear model over these features."""
        scores = np.empty((len(texts), weights.shape[0]), dtype=np.float32)
        for i, (columns, values) in enumerate(self.rows(texts)):
            scores[i] = weights[:, columns] @ values + bias if len(columns) else bias
        return scores
