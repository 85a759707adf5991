"""Checker benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_checker.py [FILE]

Times `check_reply` with all nine rules on every reply of the labelled set (default
evals/labelled/replies.jsonl): a cold pass (empty word caches), then warm passes, as in the
app where the checklist re-runs on every keystroke. Prints median and p95 per reply.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from assistant.calibration import load_labelled
from assistant.knowledge import load_knowledge
from assistant.rules import check_reply
from assistant.rules import text as rules_text

ROOT = Path(__file__).resolve().parent.parent


def timed(items, brand) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        check_reply(item.reply, item.comment, item.channel, item.lang, brand)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "evals/labelled/replies.jsonl"
    items, _ = load_labelled(path)
    brand = load_knowledge(ROOT / "knowledge").brand
    check_reply("прогрев", None, None, None, brand)  # load pymorphy3 and the lexicons once
    rules_text.analyse.cache_clear()
    rules_text.lemmas.cache_clear()
    cold = timed(items, brand)
    warm = []
    for _ in range(5):
        rules_text.analyse.cache_clear()  # the reply text is new each time; its words are not
        warm += timed(items, brand)
    chars = statistics.mean(len(i.reply) for i in items)
    print(f"{len(items)} replies from {path.name}, {chars:.0f} characters on average")
    print(f"cold (new words):   median {np.median(cold):.2f} ms, p95 {np.percentile(cold, 95):.2f} ms")
    print(f"warm (known words): median {np.median(warm):.2f} ms, p95 {np.percentile(warm, 95):.2f} ms")


if __name__ == "__main__":
    main()
