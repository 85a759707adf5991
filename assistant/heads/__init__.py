"""Learned heads over the bundled encoder: what kind of comment this is and what it is about, and
whether each sentence of a reply blames, apologises, offers a remedy or invites to private messages.

The weights ship in `weights/` with a model card (`weights/MODEL_CARD.md`) and the figures they
were chosen by (`weights/metrics.json`); `assistant train` rebuilds them from the real corpus.
Without them (a broken install) everything still works on the lexicons alone, and says so.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .kind import KindHead
from .linear import LinearHead, load_head, load_space
from .sentences import Sentence, split_sentences

__all__ = [
    "Heads",
    "KindHead",
    "LinearHead",
    "Sentence",
    "comment_features",
    "comment_vector",
    "head_vectors",
    "load_heads",
    "shipped_heads",
    "split_sentences",
    "weights_dir",
]

REPLY_HEADS = ("no_blame", "empathy", "concrete_solution", "invite_dm")


@dataclass(frozen=True)
class Heads:
    comment_kind: KindHead
    comment_topic: LinearHead
    reply: dict[str, LinearHead]  # rule -> P(the sentence carries what the rule looks for)
    info: dict = field(default_factory=dict)  # metrics.json: data, splits, figures, date


def weights_dir() -> Path:
    return Path(str(resources.files("assistant.heads").joinpath("weights")))


def load_heads(folder: Path) -> Heads:
    folder = Path(folder)
    info_path = folder / "metrics.json"
    comments, replies = load_space(folder / "comment_ngrams.npz"), load_space(folder / "reply_ngrams.npz")
    complaint = folder / "comment_complaint.npz"
    return Heads(
        comment_kind=KindHead(
            load_head(folder / "comment_kind.npz", comments),
            load_head(complaint, comments) if complaint.exists() else None,
        ),
        comment_topic=load_head(folder / "comment_topic.npz", comments),
        reply={rule: load_head(folder / f"reply_{rule}.npz", replies) for rule in REPLY_HEADS},
        info=json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {},
    )


@functools.cache
def shipped_heads() -> Heads | None:
    """The heads in the package, or None when they are missing (the lexicons decide alone)."""
    try:
        return load_heads(weights_dir())
    except (OSError, KeyError, ValueError):
        return None


MAX_ENCODED_CHARS = 3000  # the encoder's time grows with the text (~0.4 s per 1,000 characters here)


def comment_vector(text: str) -> np.ndarray:
    """The comment's e5 query vector: the one retrieval searches with, and the first part of what the
    comment heads read (`comment_features`). Of a very long text only the first MAX_ENCODED_CHARS are
    read (the encoder was trained on 512 tokens, and one 50,000-character paste held the shared
    encoder for every writer for half a minute)."""
    from ..encoder import bundled_e5

    return bundled_e5().query_vectors([text[:MAX_ENCODED_CHARS]])[0]


def head_vectors(texts: list[str], e5_vectors: np.ndarray | None = None) -> np.ndarray:
    """What the heads read: each text's e5 query vector beside its USE-m3 vector. The two encoders
    make different mistakes (USE reads Russian complaints better, e5 English ones), and on dev the
    pair beat either alone. `e5_vectors` are reused when the caller has them (retrieval computed them)."""
    from ..encoder import bundled_e5, bundled_use

    texts = [t[:MAX_ENCODED_CHARS] for t in texts]
    e5 = bundled_e5().query_vectors(texts) if e5_vectors is None else np.atleast_2d(e5_vectors)
    return np.hstack([e5, bundled_use().query_vectors(texts)])


def comment_features(text: str, vector: np.ndarray | None = None) -> np.ndarray:
    """The comment heads' input; `vector` is the comment's e5 query vector when the caller has it."""
    return head_vectors([text], None if vector is None else np.asarray(vector).reshape(1, -1))[0]


def sentence_vectors(sentences: list[Sentence]) -> np.ndarray:
    """A "sentence" with no full stop can be a whole pasted page: it is read up to MAX_ENCODED_CHARS."""
    return head_vectors([s.text for s in sentences])
