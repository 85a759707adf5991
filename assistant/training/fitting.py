"""The pieces every head is fitted with: query vectors (cached), the two logistic regressions
(over encoder vectors and over character n-grams), and the figures that choose between settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..heads.linear import Linear
from ..heads.ngrams import NgramSpace, char_ngrams

C_ENCODER = (1.0, 4.0, 8.0)
C_NGRAMS = (2.0, 8.0, 32.0)
MIXES = (0.0, 0.25, 0.5, 0.75, 1.0)
MAX_NGRAMS = 50_000
DENSE_TOL = 1e-8  # the solver's tolerance over encoder vectors (see `logistic`)


@dataclass
class Vectors:
    """Query vectors by text, computed once and optionally kept on disk between runs."""

    cache_path: Path | None = None

    def __post_init__(self) -> None:
        self.known: dict[str, np.ndarray] = {}
        if self.cache_path and self.cache_path.exists():
            with np.load(self.cache_path, allow_pickle=False) as data:
                if data["vectors"].shape[1:] == (self.dimensions(),):  # a cache of other encoders is ignored
                    self.known = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))

    @staticmethod
    def dimensions() -> int:
        from ..encoder import bundled_e5, bundled_use

        return bundled_e5().dimensions + bundled_use().dimensions

    def of(self, texts: list[str], progress: Callable[[str], None]) -> np.ndarray:
        from ..heads import head_vectors

        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        for done, text in enumerate(missing, start=1):
            # one text at a time: a batch pads its texts together, which moves the last digits of a
            # vector, and the weights must not depend on what the cache happened to hold
            self.known[text] = head_vectors([text])[0]
            if done % 200 == 0 or done == len(missing):
                progress(f"  embedded {done}/{len(missing)} new texts")
        if missing and self.cache_path:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            every = list(self.known)
            np.savez(self.cache_path, texts=np.array(every), vectors=np.stack([self.known[t] for t in every]))
        if not texts:
            return np.zeros((0, self.dimensions()), np.float32)
        return np.stack([self.known[t] for t in texts])


def fit_space(texts: list[str]) -> tuple[NgramSpace, object]:
    """The n-gram vocabulary of the training texts, and the fitted scikit-learn vectoriser."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2, max_features=MAX_NGRAMS)
    vectoriser.fit(texts)
    vocabulary = [str(g) for g in vectoriser.get_feature_names_out()]
    return NgramSpace({g: i for i, g in enumerate(vocabulary)}, vectoriser.idf_.astype(np.float32)), vectoriser


def logistic(features, labels, c_value: float, half: bool = False):
    """`half` rounds the weights as they ship (n-gram weights are stored as float16), so that what
    dev chose is what the product computes.

    Encoder vectors differ in their last bits from one CPU to another (the BLAS kernels differ), and
    a solver stopped early turns that into weights apart by 0.02 and other thresholds, so a retrain on
    another machine did not reproduce the shipped figures. Fitted in float64 to a tight tolerance, the
    weights move by about 1e-5 instead."""
    from scipy.sparse import issparse
    from sklearn.linear_model import LogisticRegression

    dense = not issparse(features)
    if dense:
        features = np.asarray(features, dtype=np.float64)
    model = LogisticRegression(
        C=c_value, class_weight="balanced", max_iter=5000, tol=DENSE_TOL if dense else 1e-4, random_state=0
    ).fit(features, labels)
    if half:
        model.coef_ = model.coef_.astype(np.float16).astype(np.float64)
    return model


def linear_of(model, classes: tuple[str, ...]) -> Linear:
    """The model's weights with rows in `classes` order (a binary model keeps its one row)."""
    weights = np.asarray(model.coef_, dtype=np.float32)
    bias = np.asarray(model.intercept_, dtype=np.float32)
    if weights.shape[0] > 1:
        order = [[str(c) for c in model.classes_].index(c) for c in classes]
        weights, bias = weights[order], bias[order]
    return Linear(weights, bias)


def prf(truth, predicted) -> tuple[float, float, float]:
    truth, predicted = np.asarray(truth, bool), np.asarray(predicted, bool)
    tp = int((truth & predicted).sum())
    fp = int((~truth & predicted).sum())
    fn = int((truth & ~predicted).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def presence_figures(truth, predicted) -> dict:
    p1, r1, f1 = prf(truth, predicted)
    _, _, f0 = prf(~np.asarray(truth, bool), ~np.asarray(predicted, bool))
    return {
        "precision_present": p1,
        "recall_present": r1,
        "f1_present": f1,
        "f1_absent": f0,
        "macro_f1": round((f1 + f0) / 2, 4),
    }


def accuracy(truth: list[str], predicted: list[str]) -> float:
    return round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth), 4) if truth else 1.0


def auc(truth, scores) -> float:
    from sklearn.metrics import roc_auc_score

    truth = np.asarray(truth, bool)
    return float(roc_auc_score(truth, scores)) if 0 < truth.sum() < len(truth) else 0.5
