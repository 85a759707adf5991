"""Eval runner benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_evals.py [--suite evals/suites/core.yaml] [--delay 0.5]

With a stub LLM on 127.0.0.1 that answers every call (triage and drafts) after a fixed delay, the
wall time of a suite at concurrency 1 and 8, and of a rerun that the on-disk cache answers.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evals.runner import run_suite  # noqa: E402
from assistant.evals.suites import load_suite  # noqa: E402
from assistant.ingest import ingest, open_store  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tests.openai_stub import start_stub  # noqa: E402

RU = (
    "Здравствуйте! Простите, пожалуйста, нам очень жаль, что так вышло. Разберёмся и ответим в течение часа: "
    "напишите нам в Direct номер заказа. Команда «Сороки»"
)
EN = "Hello! We're so sorry about this. Please send us your order number via DM and we'll reply within an hour."
TRIAGE = json.dumps({"lang": "ru", "sentiment": "negative", "topic": "delivery_delay", "complainer": "meek"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suite", default=str(ROOT / "evals" / "suites" / "core.yaml"))
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args()
    suite = load_suite(args.suite)
    stub = start_stub()

    def answer(body: dict) -> dict:
        system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
        if "JSON" in system:
            return {"delay": args.delay, "content": TRIAGE}
        comment = user.split("<comment>")[-1]
        return {"delay": args.delay, "content": RU if re.search("[а-яё]", comment, re.I) else EN}

    stub.responder = answer
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts")
            settings = dataclasses.replace(
                settings, openai_base_url=stub.base_url, openai_api_key="x", llm_model="stub", llm_timeout_s=30
            )
            ingest(settings, progress=False)
            store = open_store(settings)
            print(
                f"suite {suite.name}: {len(suite.cases)} cases × {suite.settings.variants} variants; "
                f"stub answers every call after {args.delay:.1f} s"
            )
            times = {}
            for concurrency in (1, 8):
                shutil.rmtree(settings.llm_cache_dir, ignore_errors=True)  # each measured run starts uncached
                calls = len(stub.requests)
                started = time.perf_counter()
                report = run_suite(suite, settings, drafter="llm", concurrency=concurrency, progress=False, store=store)
                times[concurrency] = time.perf_counter() - started
                print(
                    f"  concurrency {concurrency}: {times[concurrency]:.1f} s, "
                    f"{len(stub.requests) - calls} model calls, {report['totals']['passed_cases']} cases passed"
                )
            print(f"  speed-up at 8: {times[1] / times[8]:.1f}×")
            calls = len(stub.requests)
            started = time.perf_counter()
            run_suite(suite, settings, drafter="llm", concurrency=8, progress=False, store=store)
            print(
                f"  cached rerun at 8: {time.perf_counter() - started:.1f} s, {len(stub.requests) - calls} model calls"
            )
    finally:
        stub.stop()


if __name__ == "__main__":
    main()
