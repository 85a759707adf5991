"""A trained head: two logistic regressions, one over encoder vectors and one over character
n-grams, whose probabilities are mixed by a weight chosen on dev. Weights in, probabilities out,
numpy only.

Training (scikit-learn, `assistant train`) writes one `.npz` per head; the product only reads them,
so the run time needs numpy and nothing that downloads or compiles. A mix of 1 uses the encoder
alone, 0 the n-grams alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .ngrams import NgramSpace


@dataclass(frozen=True)
class Linear:
    weights: np.ndarray  # (classes, features), or (1, features) for a binary head
    bias: np.ndarray

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        if self.weights.shape[0] == 1:
            return 1.0 / (1.0 + np.exp(-logits))
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class LinearHead:
    """Multinomial (several classes) or binary (one class, "positive")."""

    name: str
    classes: tuple[str, ...]
    encoder: Linear | None
    ngrams: Linear | None = None
    space: NgramSpace | None = None
    mix: float = 1.0  # the encoder's share of the probability
    mixes: dict[str, float] = field(default_factory=dict)  # per language, where dev chose another share
    thresholds: dict[str, float] = field(default_factory=dict)  # decision thresholds chosen on dev
    meta: dict = field(default_factory=dict)
    whole: Linear | None = None  # a reply head's n-gram model of the whole reply (context a sentence lacks)
    whole_share: float = 0.0  # its share of the reply's score, beside the best sentence's

    def probabilities(
        self,
        vectors: np.ndarray | None,
        texts: list[str],
        langs: list[str | None] | None = None,
        known: np.ndarray | None = None,
    ) -> np.ndarray:
        """(texts, classes) probabilities; a binary head gives one column, P(positive). `vectors`
        may be None when the head reads n-grams only (mix 0), and then the encoder's part counts as 0
        (a lower bound, see `ceiling`); so does it for the rows `known` (a mask) leaves out, whose
        vectors were not computed; `langs` picks per-language mixes."""
        shares = np.array([self.mixes.get(lang or "", self.mix) for lang in (langs or [None] * len(texts))])
        shares = shares.reshape(-1, 1).astype(np.float32)
        total = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        if self.encoder is not None and vectors is not None and shares.max() > 0:
            logits = np.atleast_2d(vectors) @ self.encoder.weights.T + self.encoder.bias
            part = shares * self.encoder.probabilities(logits)
            total += part if known is None else part * np.asarray(known, dtype=np.float32).reshape(-1, 1)
        if self.ngrams is not None and self.space is not None and shares.min() < 1:
            logits = self.space.logits(texts, self.ngrams.weights, self.ngrams.bias)
            total += (1 - shares) * self.ngrams.probabilities(logits)
        return total

    def reply_score(self, sentence_scores: list[float], reply: str) -> float:
        """A reply head's score: its best sentence, mixed with the whole reply's n-gram model."""
        best = max(sentence_scores, default=0.0)
        if self.whole is None or self.whole_share == 0 or self.space is None:
            return best
        whole = float(self.whole.probabilities(self.space.logits([reply], self.whole.weights, self.whole.bias))[0, 0])
        return (1 - self.whole_share) * best + self.whole_share * whole

    def ceiling(self, texts: list[str], reply: str) -> float:
        """The highest a reply head could score this reply whatever the encoder said (its part at 1).
        Below the threshold the head cannot fire, so the encoder, the slow part of checking, need not
        run: the verdict and its evidence are the same."""
        return self.reply_score([float(u) for u in self.upper_bounds(texts)], reply)

    def upper_bounds(self, texts: list[str]) -> np.ndarray:
        """Each sentence's highest possible score whatever the encoder said (its part at 1)."""
        if self.ngrams is None or self.space is None:
            return np.full(len(texts), 1.0 if self.mix > 0 else 0.0, dtype=np.float32)
        ngrams = self.ngrams.probabilities(self.space.logits(texts, self.ngrams.weights, self.ngrams.bias))[:, 0]
        return self.mix + (1 - self.mix) * ngrams

    def sentence_bar(self, reply: str) -> float:
        """What the best sentence must score for the reply to reach the threshold, given the whole
        reply's part: a sentence whose upper bound is below it cannot change the verdict."""
        threshold = self.threshold()
        if self.whole is None or self.space is None or not 0 < self.whole_share < 1:
            return threshold
        whole = float(self.whole.probabilities(self.space.logits([reply], self.whole.weights, self.whole.bias))[0, 0])
        return (threshold - self.whole_share * whole) / (1 - self.whole_share)

    @property
    def needs_vectors(self) -> bool:
        return self.encoder is not None and max([self.mix, *self.mixes.values()]) > 0

    def threshold(self, name: str = "positive", default: float = 0.5) -> float:
        return float(self.thresholds.get(name, default))

    def save(self, path: Path) -> None:
        arrays = {"classes": np.array(self.classes)}
        for part, linear in (("encoder", self.encoder), ("ngrams", self.ngrams), ("whole", self.whole)):
            if linear is not None:
                arrays[f"{part}_weights"] = linear.weights.astype(np.float32 if part == "encoder" else np.float16)
                arrays[f"{part}_bias"] = linear.bias.astype(np.float32)
        header = {
            "name": self.name,
            "mix": self.mix,
            "mixes": self.mixes,
            "whole_share": self.whole_share,
            "thresholds": self.thresholds,
            "meta": self.meta,
        }
        np.savez_compressed(path, header=np.array(json.dumps(header)), **arrays)


def save_space(space: NgramSpace, path: Path) -> None:
    np.savez_compressed(path, vocabulary=np.array(space.vocabulary()), idf=space.idf.astype(np.float32))


def load_space(path: Path) -> NgramSpace:
    with np.load(path, allow_pickle=False) as data:
        return NgramSpace.from_arrays(str(data["vocabulary"]), data["idf"])


def load_head(path: Path, space: NgramSpace | None = None) -> LinearHead:
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))

        def part(name: str) -> Linear | None:
            if f"{name}_weights" not in data:
                return None
            return Linear(data[f"{name}_weights"].astype(np.float32), data[f"{name}_bias"].astype(np.float32))

        return LinearHead(
            name=header["name"],
            classes=tuple(str(c) for c in data["classes"]),
            encoder=part("encoder"),
            ngrams=part("ngrams"),
            space=space,
            mix=float(header.get("mix", 1.0)),
            mixes={k: float(v) for k, v in header.get("mixes", {}).items()},
            thresholds={k: float(v) for k, v in header.get("thresholds", {}).items()},
            meta=header.get("meta", {}),
            whole=part("whole"),
            whole_share=float(header.get("whole_share", 0.0)),
        )
