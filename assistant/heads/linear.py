"""A trained linear head over encoder vectors: weights in, probabilities out, numpy only.

Training (scikit-learn, `assistant train`) writes one `.npz` per head; the product only reads them,
so the run time needs numpy and nothing that downloads or compiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class LinearHead:
    """Multinomial (several classes) or binary (one class, `positive`) logistic regression."""

    name: str
    classes: tuple[str, ...]
    weights: np.ndarray  # (classes or 1, dim)
    bias: np.ndarray  # (classes or 1,)
    thresholds: dict[str, float] = field(default_factory=dict)  # decision thresholds chosen on dev
    meta: dict = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return self.weights.shape[0] == 1

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, classes) probabilities; a binary head gives one column, P(positive)."""
        logits = np.atleast_2d(vectors) @ self.weights.T + self.bias
        if self.binary:
            return 1.0 / (1.0 + np.exp(-logits))
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def threshold(self, name: str = "positive", default: float = 0.5) -> float:
        return float(self.thresholds.get(name, default))

    def save(self, path: Path) -> None:
        np.savez(
            path,
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            classes=np.array(self.classes),
            header=np.array(json.dumps({"name": self.name, "thresholds": self.thresholds, "meta": self.meta})),
        )


def load_head(path: Path) -> LinearHead:
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        return LinearHead(
            name=header["name"],
            classes=tuple(str(c) for c in data["classes"]),
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            thresholds={k: float(v) for k, v in header.get("thresholds", {}).items()},
            meta=header.get("meta", {}),
        )
