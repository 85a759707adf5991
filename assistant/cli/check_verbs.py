"""The checker verbs: `check` (one reply or JSON Lines) and `eval calibrate`."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

if TYPE_CHECKING:  # the rules load numpy, the heads and the lexicons: `assistant --help` needs none
    from ..check_requests import CheckRequest
    from ..rules import CheckResult
    from ..settings import Settings

_MARKS = {"pass": ("✔", "32"), "fail": ("✘", "31"), "n/a": ("–", "90")}  # by `rules.verdicts` status


def add_parsers(verbs) -> None:
    check = verbs.add_parser("check", help="check replies against the guideline rules")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--text", help="the reply to check")
    source.add_argument(
        "--jsonl", metavar="FILE", help="one {id, reply, comment?, channel?, lang?} per line; - for stdin"
    )
    check.add_argument("--comment", help="the customer's comment the reply answers")
    check.add_argument("--channel", help="instagram, vk, telegram, marketplace, email")
    check.add_argument("--lang", help="the customer's language (ru, en); detected from the comment otherwise")
    check.add_argument("--format", choices=("json", "human"), help="default: human for --text, json for JSON Lines")
    check.add_argument("--judge", action="store_true", help="also ask the configured LLM and show disagreements")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from ..check_requests import CheckRequest, decode_lines, read_requests, unsupported_language
    from ..knowledge import unknown_channel
    from ..knowledge.brand import load_brand
    from ..rules import check_reply

    brand_file = settings.knowledge_dir / "brand.yaml"
    brand, _ = load_brand(brand_file, brand_file)  # checking needs the brand, not the policies or past replies
    known = functools.partial(unknown_channel, brand=brand)
    if args.text is not None:
        if not args.text.strip():
            print("error: the reply is empty: give the text to check with --text", file=sys.stderr)
            return EXIT_USAGE
        if problem := known(args.channel) or unsupported_language(args.lang):
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        requests, problems = [CheckRequest(1, args.text, args.comment, args.channel, args.lang)], []
        fmt = args.format or "human"
    else:
        if args.jsonl in (None, "-") and sys.stdin.isatty():
            print('error: give --text "..." or JSON Lines with --jsonl FILE (or on stdin)', file=sys.stderr)
            return EXIT_USAGE
        path = args.jsonl if args.jsonl not in (None, "-") else None
        if path and not Path(path).is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return EXIT_USAGE
        lines, problems = decode_lines(Path(path).read_bytes() if path else _stdin_bytes(), path or "<stdin>")
        requests, unread = read_requests(lines, path or "<stdin>", known)
        problems += unread
        fmt = args.format or "json"
    if brand is None:
        print(
            "warning: brand.yaml could not be read, so no commitment counts as allowed (assistant lint)",
            file=sys.stderr,
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    any_failed = False
    for request in requests:
        result = check_reply(request.reply, request.comment, request.channel, request.lang, brand)
        any_failed |= not result.passed
        judged = _judge(settings, result, request, brand) if args.judge else None
        if fmt == "json":
            record = {"id": request.id, **result.to_dict()}
            if judged is not None:
                record["judge"] = judged
            print(json.dumps(record, ensure_ascii=False))
        else:
            _print_checklist(request, result, judged)
    if problems:
        return EXIT_USAGE
    return EXIT_PROBLEMS if any_failed else EXIT_OK


def _stdin_bytes() -> bytes:
    """Bytes, so that a line that is not UTF-8 is reported instead of ending the run."""
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")


def _judge(settings: Settings, result: CheckResult, request: CheckRequest, brand) -> dict:
    from ..judge import judge_reply
    from ..llm import LLMError

    try:
        return judge_reply(settings, result, request.reply, request.comment, request.channel, brand).to_dict()
    except LLMError as error:
        print(f"judge: {error}", file=sys.stderr)
        return {"error": str(error)}


def _print_checklist(request: CheckRequest, result: CheckResult, judged: dict | None) -> None:
    color = sys.stdout.isatty()
    width = max(len(rule) for rule in result.verdicts)
    if request.id != 1 or request.line:
        print(f"— {request.id}")
    for rule, verdict in result.verdicts.items():
        mark, code = _MARKS[verdict.status]
        label = f"{mark} {rule:{width}}  {verdict.status:4}"
        message = f"{verdict.message} {verdict.decided_note}".rstrip()
        print(f"\033[{code}m{label}\033[0m  {message}" if color else f"{label}  {message}")
    print("passed" if result.passed else f"failed: {', '.join(result.failed_rules)}")
    if judged:
        if "error" in judged:
            print(f"judge: {judged['error']}")
        elif judged["disagreements"]:
            for rule in judged["disagreements"]:
                reason = judged["reasons"].get(rule, "")
                print(f"judge disagrees on {rule}: says {judged['verdicts'][rule]} {reason}".rstrip())
        else:
            print("judge agrees on every rule")
