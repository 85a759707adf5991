"""The knowledge verbs: ingest, search, lint, status."""

from __future__ import annotations

import argparse
import json
import sys

from ..settings import Settings
from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE


def add_parsers(verbs) -> None:
    ingest = verbs.add_parser("ingest", help="index knowledge/ into the vector store (only what changed)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--json", action="store_true", help="print the result as JSON")
    ingest.add_argument(
        "--allow-empty",
        action="store_true",
        help="let an empty or missing knowledge folder empty the index (refused otherwise)",
    )
    ingest.set_defaults(handler=_ingest)

    search = verbs.add_parser(
        "search", help="find policy passages and past replies for a text (policies first, then replies)"
    )
    search.add_argument("text")
    search.add_argument("--kind", choices=("policy", "reply"))
    search.add_argument("--channel", help="instagram, vk, telegram, marketplace, email")
    search.add_argument("--lang", help="ru or en (narrows past replies; policies hold for every language)")
    search.add_argument("-k", type=int, default=5, help="how many results of each kind (default 5)")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=_search)

    lint = verbs.add_parser("lint", help="check knowledge/ and list every problem with file and line")
    lint.add_argument("--json", action="store_true")
    lint.set_defaults(handler=_lint)

    status = verbs.add_parser("status", help="show the settings in use and the state of the index")
    status.set_defaults(handler=_status)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ..ingest import IngestError, ingest

    try:
        result = ingest(settings, progress=False if args.quiet else None, allow_empty=args.allow_empty)
    except IngestError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    errors = result.knowledge.errors
    if args.json:
        print(
            json.dumps(
                {
                    "documents": result.documents,
                    "added": result.sync.added,
                    "deleted": result.sync.deleted,
                    "relabelled": result.sync.relabelled,
                    "unchanged": result.sync.unchanged,
                    "kept_from_broken_files": result.sync.kept,
                    "seconds": round(result.sync.seconds, 3),
                    "problems": [str(p) for p in result.knowledge.problems],
                    "left_out": list(result.left_out),
                    **result.store_status,
                },
                ensure_ascii=False,
            )
        )
    else:
        for problem in result.knowledge.problems:
            print(problem, file=sys.stderr)
        k, s = result.knowledge, result.sync
        print(f"knowledge: {len(k.policies)} policies, {len(k.replies)} past replies -> {result.documents} documents")
        print(
            f"index: {s.added} embedded, {s.deleted} removed, {s.relabelled} relabelled, "
            f"{s.unchanged} unchanged in {s.seconds:.1f}s "
            f"({result.store_status['collection']}, {result.store_status['documents']} documents)"
        )
        if result.left_out:
            for problem in result.left_out:
                print(problem, file=sys.stderr)
            print(
                "the past replies above break a rule: they are indexed but never shown to the model until fixed",
                file=sys.stderr,
            )
        if errors:
            kept = f"; the index keeps the {s.kept} documents it had from them" if s.kept else ""
            print(
                f"{len(errors)} error(s): those files or entries were skipped{kept}; "
                "run `assistant lint` for details, fix them and ingest again",
                file=sys.stderr,
            )
    return EXIT_OK if result.documents and not errors else EXIT_PROBLEMS


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from ..ingest import open_store
    from ..retrieval import search, search_by_kind

    if args.k < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(settings)
    if store.count() == 0:
        print("the index is empty: run `assistant ingest` first", file=sys.stderr)
        return EXIT_PROBLEMS
    if partial := store.sync_warning():
        print(f"warning: {partial}", file=sys.stderr)
    if args.kind:
        hits = search(store, args.text, kind=args.kind, channel=args.channel, lang=args.lang, k=args.k)
    else:  # policies first, then past replies, each ranked by score
        grouped = search_by_kind(store, args.text, channel=args.channel, lang=args.lang, k=args.k)
        hits = [hit for kind in grouped for hit in grouped[kind]]
    if args.json:
        for hit in hits:
            print(
                json.dumps(
                    {"id": hit.id, "score": round(hit.score, 4), "text": hit.text, **hit.metadata}, ensure_ascii=False
                )
            )
        return EXIT_OK
    if not hits:
        print("no matches (try without --channel/--lang/--kind)")
    for rank, hit in enumerate(hits, 1):
        meta = hit.metadata
        if meta.get("kind") == "policy":
            label = meta.get("title", "") + (f" › {meta['heading']}" if meta.get("heading") else "")
        else:
            label = (
                f"past reply {meta.get('reply_id')} ({meta.get('channel')}, {meta.get('lang')}, {meta.get('field')})"
            )
        print(f"{rank}. {hit.score:.3f}  {meta.get('kind', '?'):6}  {label}  [{meta.get('source')}:{meta.get('line')}]")
        print(f"   {_shorten(hit.text, 240)}")
    return EXIT_OK


def _lint(args: argparse.Namespace, settings: Settings) -> int:
    from ..lint import lint

    knowledge, problems = lint(settings.knowledge_dir)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        for p in problems:
            print(
                json.dumps(
                    {"path": str(p.path), "line": p.line, "severity": p.severity, "message": p.message, "hint": p.hint},
                    ensure_ascii=False,
                )
            )
    else:
        for p in problems:
            print(p)
        print(
            f"{len(knowledge.policies)} policies, {len(knowledge.replies)} past replies loaded; "
            f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)"
        )
    return EXIT_PROBLEMS if errors else EXIT_OK


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from ..ingest import open_store

    print(settings)
    store = open_store(settings)
    print(json.dumps(store.status(), ensure_ascii=False, indent=2))
    if partial := store.sync_warning():
        print(f"warning: {partial}", file=sys.stderr)
    return EXIT_OK


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
