"""The `draft` verb: drafts for a comment, streamed when an LLM writes them."""

from __future__ import annotations

import argparse
import json
import sys

from ..settings import Settings
from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE


def add_parsers(verbs) -> None:
    draft = verbs.add_parser("draft", help="draft replies to a customer's comment, checked against the rules")
    draft.add_argument("comment", help="the customer's comment")
    draft.add_argument("--channel", default="instagram", help="instagram (default), vk, telegram, marketplace, email")
    draft.add_argument("--name", help="the customer's name")
    draft.add_argument("--n", type=int, default=3, help="how many variants (default 3)")
    draft.add_argument("--context", help="what the writer knows: order status, earlier messages")
    draft.add_argument("--offline", action="store_true", help="use the offline composer even if an LLM is configured")
    draft.add_argument("--json", action="store_true", help="print the whole result as JSON")
    draft.set_defaults(handler=_draft)


def _draft(args: argparse.Namespace, settings: Settings) -> int:
    from ..drafting import draft_replies
    from ..history import History, HistoryError

    if not 1 <= args.n <= 10:
        print("error: --n must be between 1 and 10", file=sys.stderr)
        return EXIT_USAGE
    streaming = settings.llm_configured and not args.offline and not args.json
    started = {"shown": False}

    def on_token(variant: int, text: str) -> None:
        # the variants are written at the same time; the terminal streams the first one and
        # prints the others, checked, when they are all done
        if variant != 0:
            return
        if not started["shown"]:
            started["shown"] = True
            others = f" (variants 2–{args.n} are written at the same time)" if args.n > 1 else ""
            print(f"— variant 1 as the model writes it, NOT CHECKED yet{others}:", flush=True)
        print(text, end="", flush=True)

    try:
        result = draft_replies(
            args.comment,
            settings,
            channel=args.channel,
            name=args.name,
            n=args.n,
            context=args.context,
            use_llm=False if args.offline else None,
            on_token=on_token if streaming else None,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        History(settings.data_dir).record_run(result)
    except HistoryError as error:  # the drafts are printed all the same
        print(f"warning: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK if all(d.passed for d in result.drafts) else EXIT_PROBLEMS
    if streaming and started["shown"]:
        print("\n— end of the unchecked text; the checked drafts, which may differ, follow\n")
    t = result.triage
    print(
        f"drafter: {result.drafter}"
        + (
            "  (offline: set OPENAI_API_KEY or OPENAI_BASE_URL to use an LLM)"
            if result.drafter.startswith("offline")
            else ""
        )
    )
    print(f"triage: {t.lang}, {t.sentiment}, topic {t.topic}, complainer {t.complainer}, severity {t.severity}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    for number, draft in enumerate(result.drafts, 1):
        status = "passes every applicable rule" if draft.passed else f"FAILS: {', '.join(draft.check.failed_rules)}"
        print(f"\n=== draft {number} ({draft.angle}, {result.drafter}) — {status}")
        print(draft.text)
        for action in draft.repairs:
            print(f"  repaired: {action}")
        for rule in draft.check.failed_rules:
            print(f"  ✘ {rule}: {draft.check.verdicts[rule].message}")
    print("\nsources:")
    for source in result.sources:
        print(f"  {source.score:.3f}  {source.kind:6} {source.title}  [{source.source}:{source.line}]")
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in result.timings_ms.items())
    usage = result.usage
    print(
        f"timings: {timings}; tokens in/out {usage['input_tokens']}/{usage['output_tokens']}, "
        f"cost ${usage['cost_usd']:.4f}; prompts {', '.join(result.prompt_versions.values())}"
    )
    return EXIT_OK if all(d.passed for d in result.drafts) else EXIT_PROBLEMS
