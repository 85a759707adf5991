"""The store at scale: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000] [--queries 100]

Fills an embedded chromadb with synthetic documents (random unit vectors, realistic metadata: a
quarter policies, the rest past replies, a third in English, each channel on a third of them), then:

- syncs the same documents twice: the first sync has no manifest and reads every document's
  metadata (what every re-ingest did before), the second finds the manifest of the first;
- times retrieval's filtered query (past replies for one channel and language, as a draft asks),
  store time only (the query vectors are embedded beforehand, from real dev comments): chromadb's
  own filter (before) and the store's filter over the nearest of all (now).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.corpus import load_corpus
from assistant.indexing import Document
from assistant.ingest import open_store
from assistant.retrieval import where_filter
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("instagram", "vk", "telegram", "marketplace", "email")


def synthetic(i: int) -> Document:
    draw = random.Random(i)  # each document's own draws: kind, language and channels independent
    kind = "policy" if draw.random() < 0.25 else "reply"
    lang = "en" if draw.random() < 1 / 3 else "ru"
    metadata = {"kind": kind, "lang": lang, "topic": f"topic{i % 11}", "source": f"synthetic/{i // 50}.yaml"}
    metadata.update({f"ch_{channel}": draw.random() < 1 / 3 for channel in CHANNELS})
    text = f"Синтетический фрагмент номер {i}: вернём деньги за доставку в течение 3 дней."
    return Document(f"synthetic:{i}", text, text, metadata)


def fill(store, documents: list[Document]) -> None:
    rng = np.random.default_rng(7)
    dim = len(store.embedder.embed_query("x"))
    for start in range(0, len(documents), 2000):
        batch = documents[start : start + 2000]
        vectors = rng.normal(size=(len(batch), dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.collection.add(
            ids=[d.id for d in batch],
            embeddings=vectors.tolist(),
            documents=[d.text for d in batch],
            metadatas=[d.metadata for d in batch],
        )


def percentiles(values: list[float]) -> str:
    return f"p50 {np.percentile(values, 50):6.1f} ms, p95 {np.percentile(values, 95):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    comments = [c.text for c in load_corpus(ROOT / "evals/real").comments_in("dev")][: args.queries]
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts")
            store = open_store(settings)
            vectors = [store.embedder.embed_query(text) for text in comments]
            documents = [synthetic(i) for i in range(size)]
            started = time.perf_counter()
            fill(store, documents)
            filled = time.perf_counter() - started
            before = store.sync(documents, progress=False)
            after = store.sync(documents, progress=False)
            print(
                f"{size:>7} documents (filled in {filled:.0f} s): re-ingest with nothing changed "
                f"{before.seconds:.2f} s reading every document (before), {after.seconds:.2f} s with the manifest "
                f"(unchanged {after.unchanged}, embedded {after.added})"
            )
            where = where_filter("reply", "instagram", "ru")
            chroma, ours = [], []
            for vector in vectors:
                started = time.perf_counter()
                store.collection.query(
                    query_embeddings=[list(vector)], n_results=12, where=where, include=["distances"]
                )
                chroma.append((time.perf_counter() - started) * 1000)
                store._cache.clear()  # each query meets documents new to the cache, as on a big index
                started = time.perf_counter()
                store.query_vector(vector, 12, where, True)
                ours.append((time.perf_counter() - started) * 1000)
            print(f"  replies for instagram in Russian, k=12: chromadb's filter {percentiles(chroma)}")
            print(f"  {'':>40} the store's filter {percentiles(ours)}")


if __name__ == "__main__":
    main()
