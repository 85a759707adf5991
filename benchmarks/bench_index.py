"""Index benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_index.py [--sizes 1000 10000] [--queries 60]

Measures: raw embedding throughput of the default embedder, ingest throughput of the demo
knowledge against it, re-ingest time with no change, and search latency (query embedding plus
chromadb) at 1k and 10k documents. Filler documents for the large sizes get random unit
vectors: they cost the index what real ones would, without minutes of embedding.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.embeddings import make_embedder
from assistant.indexing import knowledge_documents
from assistant.ingest import ingest, open_store
from assistant.knowledge import load_knowledge
from assistant.retrieval import search
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "курьер опоздал",
    "где мой заказ, жду две недели",
    "свитер полинял после стирки",
    "прислали не тот размер",
    "хочу вернуть деньги",
    "списали деньги дважды",
    "промокод не работает",
    "the courier was rude",
    "my parcel is late",
    "the zipper broke",
]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_embedder(texts: list[str]) -> float:
    embedder = make_embedder(Settings())
    embedder.embed_documents(texts[:8])  # warm up
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_documents(texts[i : i + 32])
    return len(texts) / (time.perf_counter() - started)


def fill(store, size: int, dim: int) -> None:
    have = store.count()
    rng = np.random.default_rng(7)
    batch = 2000
    for start in range(have, size, batch):
        n = min(batch, size - start)
        vectors = rng.normal(size=(n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.collection.add(
            ids=[f"synthetic:{start + i}" for i in range(n)],
            embeddings=vectors.tolist(),
            documents=[f"Синтетический фрагмент политики номер {start + i}" for i in range(n)],
            metadatas=[{"kind": "policy", "topic": "synthetic", "lang": "ru", "ch_instagram": True} for _ in range(n)],
        )


def bench_search(store, queries: int, offset: int = 0) -> tuple[list[float], list[float]]:
    plain, filtered = [], []
    for i in range(offset, offset + queries):
        text = f"{QUERIES[i % len(QUERIES)]} {i}{random.choice(['', '!', ' ?'])}"  # new text: no cached embedding
        started = time.perf_counter()
        search(store, text, k=5)
        plain.append((time.perf_counter() - started) * 1000)
        text = text + " ."  # the filtered search gets its own new text too
        started = time.perf_counter()
        search(store, text, kind="reply", channel="instagram", lang="ru", k=5)
        filtered.append((time.perf_counter() - started) * 1000)
    return plain, filtered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", knowledge_dir=ROOT / "knowledge")
        knowledge = load_knowledge(settings.knowledge_dir)
        documents = knowledge_documents(knowledge, settings.chunk_tokens, settings.chunk_overlap_tokens)
        texts = [d.embed_text for d in documents]
        print(
            f"demo knowledge: {len(knowledge.policies)} policies, {len(knowledge.replies)} replies "
            f"-> {len(documents)} documents, {sum(len(t) for t in texts) / len(texts):.0f} chars on average"
        )

        raw = bench_embedder(texts)
        print(f"raw embedding throughput:     {raw:7.1f} docs/s  (batches of 32, {make_embedder(settings).model_id})")

        result = ingest(settings, progress=False)
        through = result.documents / result.sync.seconds
        print(
            f"ingest throughput (cold):     {through:7.1f} docs/s  = {through / raw:.0%} of raw "
            f"({result.documents} docs in {result.sync.seconds:.2f}s)"
        )

        again = [ingest(settings, progress=False).sync.seconds for _ in range(3)]
        print(
            f"re-ingest with no change:     {statistics.median(again) * 1000:7.1f} ms  (median of 3; "
            "load + chunk + diff, 0 embedded)"
        )

        embedder = make_embedder(settings)
        query_ms = []
        for n, text in enumerate(QUERIES * 3):
            started = time.perf_counter()
            embedder.embed_query(f"{text} #{n}")  # a new text each time: the cache would hide the model
            query_ms.append((time.perf_counter() - started) * 1000)
        print(
            f"query embedding:              p50 {percentile(query_ms, 50):5.1f} ms, p95 {percentile(query_ms, 95):5.1f} ms"
        )

        store = open_store(settings)
        dim = len(embedder.embed_query("x"))
        for number, size in enumerate(sorted(args.sizes)):
            fill(store, size, dim)
            plain, filtered = bench_search(store, args.queries, offset=number * 1000)
            print(
                f"search at {store.count():>6} docs:       p50 {percentile(plain, 50):5.1f} ms, "
                f"p95 {percentile(plain, 95):5.1f} ms; with kind+channel+lang filter "
                f"p50 {percentile(filtered, 50):5.1f} ms, p95 {percentile(filtered, 95):5.1f} ms"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (RSS):            {rss:7.0f} MiB")


if __name__ == "__main__":
    main()
