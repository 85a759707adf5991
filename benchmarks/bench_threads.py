"""Drafting beside a busy neighbour: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_threads.py [--runs 30]

A writer drafts (offline, three variants: embedding, triage, retrieval, composing, checking) on
real comments from the corpus's dev split while the machine is idle, while CPU hogs keep every
core busy, and while an ingest embeds passages beside it. Each case runs in a fresh process under
two thread policies, because OpenMP reads its settings once, when the engine loads:

- before: OpenMP's defaults (a waiting thread spins ~300,000 times) and every core for every call;
- now (`assistant/threads.py`): a short spin, and the cores free when each call starts.

Prints p50 and p95 of one draft per case, and p95 against the idle p95 (the goal: under 3x).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICIES = ("before", "now")
NEIGHBOURS = ("idle", "CPU hogs", "an ingest")
HOG = "while True: pass"
INGEST = """
import sys, itertools
sys.path.insert(0, {root!r})
from assistant.corpus import load_corpus
from assistant.encoder import bundled_e5
{policy}
texts = [r.reply for r in load_corpus({corpus!r}).replies_in("train")]
e5 = bundled_e5()
for start in itertools.cycle(range(0, len(texts), 16)):
    e5.embed_documents(texts[start:start + 16])
"""
BEFORE = """
import assistant.encoder, assistant.threads
assistant.encoder.threads_now = lambda: assistant.threads.available_cores()
"""


def policy_env(policy: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    if policy == "before":
        env["GOMP_SPINCOUNT"] = "300000"  # libgomp's own default
    return env


def child(data_dir: str, runs: int, policy: str) -> None:
    """One process, one policy: draft `runs` real comments and print the latencies as JSON."""
    if policy == "before":
        exec(BEFORE, {})  # the same lines the ingest neighbour runs
    from assistant.corpus import load_corpus
    from assistant.drafting import draft_replies
    from assistant.ingest import open_store
    from assistant.knowledge import load_knowledge
    from assistant.settings import Settings

    settings = Settings(data_dir=Path(data_dir), knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts")
    store = open_store(settings)
    knowledge = load_knowledge(settings.knowledge_dir)
    draft_replies("прогрев", settings, store=store, knowledge=knowledge, use_llm=False)
    comments = [c.text for c in load_corpus(ROOT / "evals/real").comments_in("dev") if c.lang in ("ru", "en")]
    latencies = []
    for comment in comments[:runs]:
        started = time.perf_counter()
        draft_replies(comment, settings, n=3, store=store, knowledge=knowledge, use_llm=False)
        latencies.append((time.perf_counter() - started) * 1000)
    print(json.dumps(latencies))


def start_neighbour(name: str, policy: str) -> list[subprocess.Popen]:
    if name == "CPU hogs":
        return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(os.cpu_count() or 1)]
    if name == "an ingest":
        code = INGEST.format(
            root=str(ROOT), corpus=str(ROOT / "evals/real"), policy=BEFORE if policy == "before" else ""
        )
        return [subprocess.Popen([sys.executable, "-c", code], env=policy_env(policy))]
    return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "POLICY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.runs, args.child[1])
        return

    from assistant.ingest import ingest
    from assistant.settings import Settings

    print(f"machine: {os.cpu_count()} cores, load before the run {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        ingest(
            Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts"), progress=False
        )
        idle_p95: dict[str, float] = {}
        for neighbour in NEIGHBOURS:
            for policy in POLICIES:
                others = start_neighbour(neighbour, policy)
                try:
                    time.sleep(2 if others else 0)  # let the neighbour get going
                    out = subprocess.run(
                        [sys.executable, __file__, "--runs", str(args.runs), "--child", tmp, policy],
                        env=policy_env(policy),
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                finally:
                    for process in others:
                        process.kill()
                        process.wait()
                latencies = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
                p50, p95 = np.percentile(latencies, 50), np.percentile(latencies, 95)
                idle_p95.setdefault(policy, p95)
                print(
                    f"{neighbour:>10}, policy {policy:>6}: one draft p50 {p50:6.0f} ms, p95 {p95:6.0f} ms "
                    f"({p95 / idle_p95[policy]:.1f}x its idle p95) over {len(latencies)} real comments"
                )


if __name__ == "__main__":
    main()
