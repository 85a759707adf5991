"""Drafting benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_drafting.py [--delay 1.0] [--runs 10]

1. The offline composer's latency for a whole draft_replies call (triage, retrieval, three
   variants, check and repair).
2. With a stub LLM on 127.0.0.1 that answers the draft after a fixed delay (and the triage at
   once), the pipeline's own overhead (everything but waiting for the model) as a share of the
   total and in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.drafting import draft_replies  # noqa: E402
from assistant.ingest import ingest, open_store  # noqa: E402
from assistant.knowledge import load_knowledge  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tests.openai_stub import start_stub  # noqa: E402

COMMENTS = [
    ("Курьер опоздал на 5 часов и нагрубил мне", "instagram"),
    ("Свитер полинял после первой стирки", "marketplace"),
    ("Деньги списали дважды за один заказ", "vk"),
    ("The zipper on my coat broke on day one", "instagram"),
    ("Платье огонь, спасибо!", "instagram"),
]
TRIAGE = (
    '{"lang": "ru", "sentiment": "negative", "topic": "courier_behaviour", "complainer": "meek", "severity": "serious"}'
)
ANSWER = (
    "Анна, простите нас! Курьер не должен был так себя вести. Менеджер перезвонит вам в течение 24 часов. "
    "Напишите нам в Direct номер заказа. Команда «Сороки»"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts")
        ingest(settings, progress=False)
        store = open_store(settings)
        knowledge = load_knowledge(settings.knowledge_dir)
        draft_replies("прогрев", settings, store=store, knowledge=knowledge, use_llm=False)

        offline = []
        for i in range(args.runs):
            comment, channel = COMMENTS[i % len(COMMENTS)]
            comment = f"{comment} ({i})"  # new text each run: no cached embedding
            started = time.perf_counter()
            draft_replies(comment, settings, channel=channel, n=3, store=store, knowledge=knowledge, use_llm=False)
            offline.append((time.perf_counter() - started) * 1000)
        print(
            f"offline composer, 3 variants: median {statistics.median(offline):.0f} ms, "
            f"max {max(offline):.0f} ms over {args.runs} runs"
        )

        stub = start_stub()
        try:
            for llm_triage, variants in ((False, 1), (True, 1), (False, 3)):
                llm = dataclasses.replace(
                    settings, openai_base_url=stub.base_url, openai_api_key="x", llm_model="stub", llm_triage=llm_triage
                )
                measure(llm, stub, store, knowledge, args, llm_triage, variants)
        finally:
            stub.stop()


def measure(llm, stub, store, knowledge, args, llm_triage: bool, variants: int) -> None:
    stub.replies.extend(([TRIAGE] if llm_triage else []) + [ANSWER])  # warm-up: client and connection
    draft_replies("прогрев клиента", llm, channel="instagram", n=1, store=store, knowledge=knowledge)
    totals, overheads, stages = [], [], []
    for run in range(args.runs):
        stub.replies.extend(([TRIAGE] if llm_triage else []) + [{"delay": args.delay, "content": ANSWER}] * variants)
        comment = f"{COMMENTS[run % len(COMMENTS)][0]} (заказ {run}, {llm_triage}, {variants})"  # new text: no cached embedding
        started = time.perf_counter()
        result = draft_replies(comment, llm, channel="instagram", n=variants, store=store, knowledge=knowledge)
        total = (time.perf_counter() - started) * 1000
        waiting = args.delay * 1000
        totals.append(total)
        stages.append(result.timings_ms)
        overheads.append(total - waiting)
    assert result.drafter == "llm:stub"
    overhead = statistics.median(overheads)
    label = "with LLM triage (stub answers it at once)" if llm_triage else "offline triage"
    print(
        f"LLM answering after {args.delay:.1f} s, {variants} variant(s) at once, {label}: total median "
        f"{statistics.median(totals):.0f} ms; overhead median {overhead:.0f} ms = "
        f"{overhead / statistics.median(totals):.1%} (includes the client's HTTP round trips)"
    )
    own = statistics.median(sum(v for k, v in r.items() if k not in ("generation", "llm_triage_wait")) for r in stages)
    print(f"  the pipeline's own stages (triage, retrieval, prompt, check and repair): median {own:.0f} ms")
    print("  by stage (last run): " + ", ".join(f"{k} {v:.1f} ms" for k, v in result.timings_ms.items()))


if __name__ == "__main__":
    main()
