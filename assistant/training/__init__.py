"""Fit the learned heads on the real corpus: weights on train, the regularisation, the encoder /
n-gram mix, the thresholds and the way each head combines with the lexicon on dev, figures on dev
and test. Needs scikit-learn (`pip install -e ".[train]"`); the product reads the weights with
numpy alone.

Deterministic: the same corpus and encoder give the same weights, so `assistant train --check`
shows that the shipped weights are what the corpus makes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from ..corpus import HEAD_RULES, Corpus, load_corpus
from ..heads import REPLY_HEADS
from ..heads.linear import save_space
from ..rules.lexicon import load_lexicon
from .comments import train_kind, train_topic
from .fitting import Vectors, fit_space
from .replies import exemplary_replies, reply_sentences, train_reply_head, written_replies

__all__ = ["WRITTEN", "train_heads"]

WRITTEN = Path("evals/labelled/replies.jsonl")  # the team-written calibration set
KNOWLEDGE = Path("knowledge")  # the demo's approved past replies


def train_heads(
    corpus_dir: Path,
    out_dir: Path,
    cache_path: Path | None = None,
    progress: Callable[[str], None] = print,
    written: Path | None = None,
) -> dict:
    """Fit every head and write the weights, `metrics.json` and `MODEL_CARD.md` to `out_dir`.
    `written` adds team-written labelled replies to train (never to dev or test)."""
    corpus = load_corpus(corpus_dir)
    for problem in corpus.problems:
        progress(f"warning: {problem}")
    lexicon = load_lexicon(None)
    if written is not None:
        extra = written_replies(Path(written), lexicon)
        corpus.replies.extend(extra)
        progress(f"train also holds {len(extra)} team-written replies from {written}")
    vectors = Vectors(cache_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    comment_space, comment_vectoriser = fit_space([c.text for c in corpus.comments_in("train")])
    progress("== comment kind")
    kind_head, kind_figures = train_kind(corpus, vectors, comment_space, comment_vectoriser, lexicon, progress)
    progress("== comment topic")
    topic_head, topic_figures = train_topic(corpus, vectors, comment_space, comment_vectoriser, progress)
    reply_space, reply_vectoriser = fit_space([t for g in reply_sentences(corpus.replies_in("train")) for t in g])
    reference = written_replies(WRITTEN, lexicon) if WRITTEN.is_file() else []
    exemplary = exemplary_replies(KNOWLEDGE) if KNOWLEDGE.is_dir() else []
    reply_heads, reply_figures = {}, {}
    for rule in REPLY_HEADS:
        progress(f"== reply head: {rule}")
        reply_heads[rule], reply_figures[rule] = train_reply_head(
            rule, corpus, vectors, reply_space, reply_vectoriser, lexicon, progress, reference, exemplary
        )

    save_space(comment_space, out_dir / "comment_ngrams.npz")
    save_space(reply_space, out_dir / "reply_ngrams.npz")
    (out_dir / "comment_complaint.npz").unlink(missing_ok=True)  # absent when dev preferred the four-way head
    kind_head.save(out_dir / "comment_kind.npz", out_dir / "comment_complaint.npz")
    topic_head.save(out_dir / "comment_topic.npz")
    for rule, head in reply_heads.items():
        head.save(out_dir / f"reply_{rule}.npz")
    metrics = {
        "date": datetime.date.today().isoformat(),
        "encoder": _encoder_id(),
        "written_train_replies": str(written) if written else None,
        "reference_replies": str(WRITTEN) if reference else None,
        "corpus": _corpus_summary(corpus, Path(corpus_dir)),
        "comment_kind": kind_figures,
        "comment_topic": topic_figures,
        "reply": reply_figures,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    from ..heads.card import model_card

    (out_dir / "MODEL_CARD.md").write_text(model_card(metrics), encoding="utf-8")
    return metrics


def _encoder_id() -> str:
    from ..encoder import bundled_e5, bundled_use

    return f"{bundled_e5().model_id} + {bundled_use().model_id}"


def _corpus_summary(corpus: Corpus, folder: Path) -> dict:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    summary: dict = {"sha256": digest.hexdigest(), "comments": {}, "replies": {}}
    for split in ("train", "dev", "test"):
        comments, replies = corpus.comments_in(split), corpus.replies_in(split)
        summary["comments"][split] = {
            "n": len(comments),
            "written": sum(1 for c in comments if c.origin != "real"),
            "by_lang": _count(c.lang for c in comments),
            "by_kind": _count(c.kind for c in comments),
        }
        summary["replies"][split] = {
            "n": len(replies),
            "written": sum(1 for r in replies if r.origin != "real"),
            "by_lang": _count(r.lang for r in replies),
            "present": {rule: sum(1 for r in replies if r.has(rule)) for rule in HEAD_RULES},
        }
    return summary


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))
