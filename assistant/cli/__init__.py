"""The `assistant` command. Thin: every verb is a call into the library.

Exit codes: 0 ok, 1 the work found problems (failed checks, lint errors), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..llm import LLMError
from ..prompting import PromptError
from ..settings import SettingsError, load_settings
from ..store_error import StoreError
from ..threads import set_thread_limit
from . import check_verbs, draft_verbs, eval_verbs, knowledge_verbs, train_verbs
from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings()
        set_thread_limit(settings.encoder_threads)
        return args.handler(args, settings)
    except (SettingsError, StoreError, LLMError, PromptError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Reply Assistant: draft and check replies to customers."
    )
    parser.add_argument("--version", action="version", version=f"assistant {__version__}")
    verbs = parser.add_subparsers(metavar="VERB")
    knowledge_verbs.add_parsers(verbs)
    draft_verbs.add_parsers(verbs)
    check_verbs.add_parsers(verbs)
    eval_verbs.add_parsers(verbs)
    train_verbs.add_parsers(verbs)
    return parser
