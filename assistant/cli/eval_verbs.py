"""The `eval` verbs: `eval run` (a suite of comments through the drafting pipeline) and
`eval calibrate` (the checker against labelled replies). Both print a table, write JSON, HTML
and JUnit reports, and exit 1 when a gate is missed, so CI can stop a regression."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..settings import Settings
from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

DEFAULT_OUT = Path("build/evals")


def add_parsers(verbs) -> None:
    evals = verbs.add_parser("eval", help="run eval suites and calibrate the checker")
    what = evals.add_subparsers(metavar="WHAT")

    run = what.add_parser("run", help="draft every case of a suite, check, score and report")
    run.add_argument("suite", help="a suite file, e.g. evals/suites/core.yaml (or just: core)")
    run.add_argument("--drafter", choices=("offline", "llm"), help="override the suite's drafter")
    run.add_argument("--concurrency", type=int, help="cases drafted at once (default: the suite's)")
    run.add_argument(
        "--grader",
        choices=("auto", "heads", "llm", "both", "none"),
        help="the second opinion on every draft (default: the suite's, auto = the learned heads, and the LLM "
        "judge when the LLM drafts)",
    )
    run.add_argument("--baseline", metavar="REPORT", help="an earlier report.json: fail on any regression")
    run.add_argument("--out", default=str(DEFAULT_OUT), help=f"where the reports go (default {DEFAULT_OUT})")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    calibrate = what.add_parser(
        "calibrate",
        help="the checker and the comment reading against labelled text: the real corpus by split, "
        "and the team-written set apart",
    )
    calibrate.add_argument("file", nargs="?", help="one labelled replies file instead (JSON Lines)")
    calibrate.add_argument(
        "--split",
        choices=("train", "dev", "test", "all"),
        help="only this split of the real corpus (default: train, dev and test, then the team-written set)",
    )
    calibrate.add_argument("--real", default="evals/real", help="the real corpus folder (default evals/real)")
    calibrate.add_argument(
        "--lexicon-only", action="store_true", help="let the lexicons decide alone, without the learned heads"
    )
    calibrate.add_argument("--quiet", action="store_true", help="no list of misclassified replies")
    calibrate.add_argument("--min-f1", type=float, default=None, help="exit 1 when a rule's F1 is below this")
    calibrate.add_argument(
        "--min-complaint-recall",
        type=float,
        default=None,
        help="exit 1 when real complaints are found less often than this, in either language",
    )
    calibrate.add_argument("--baseline", metavar="REPORT", help="an earlier calibration report: fail when F1 drops")
    calibrate.add_argument("--out", help="also write JSON, HTML and JUnit reports to this folder")
    calibrate.set_defaults(handler=_calibrate)


SYNTHETIC = Path("evals/labelled/replies.jsonl")


def suite_path(name: str) -> Path:
    """`core` and `core.yaml` mean evals/suites/core.yaml."""
    path = Path(name)
    if path.is_file() or path.suffix in (".yaml", ".yml"):
        return path
    return Path("evals/suites") / f"{name}.yaml"


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from ..evals.compare import BaselineError, apply_baseline, compare, load_report
    from ..evals.reports import summary_lines, write_reports
    from ..evals.runner import EvalError, run_suite
    from ..evals.suites import SuiteError, load_suite

    if args.concurrency is not None and not 1 <= args.concurrency <= 64:
        print("error: --concurrency must be between 1 and 64", file=sys.stderr)
        return EXIT_USAGE
    try:
        suite = load_suite(suite_path(args.suite))
        baseline = load_report(args.baseline) if args.baseline else None
    except (SuiteError, BaselineError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for problem in suite.problems:
        print(f"error: {problem} (this case is skipped)", file=sys.stderr)
    drafter = args.drafter or suite.settings.drafter
    concurrency = args.concurrency or suite.settings.concurrency
    print(
        f"suite {suite.name}: {len(suite.cases)} cases × {suite.settings.variants} variants, "
        f"drafter {drafter}, concurrency {concurrency}",
        file=sys.stderr,
    )
    try:
        report = run_suite(
            suite,
            settings,
            args.drafter,
            args.concurrency,
            progress=None if not args.quiet else False,
            grader=args.grader,
        )
    except EvalError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if baseline is not None:
        try:
            apply_baseline(report, compare(report, baseline))
        except BaselineError as error:
            print(f"error: {error} (the run's reports are written, without a comparison)", file=sys.stderr)
            write_reports(report, args.out)
            return EXIT_USAGE
    paths = write_reports(report, args.out)
    print("\n".join(summary_lines(report)))
    totals = report["totals"]
    print(
        f"\n{totals['passed_cases']}/{totals['cases']} cases passed in {totals['seconds']:.1f} s; "
        f"cost ${totals['usage']['cost_usd']:.4f}; {'PASSED' if report['passed'] else 'FAILED'}"
    )
    print("reports: " + ", ".join(str(p) for p in paths.values()))
    if suite.problems:
        return EXIT_USAGE
    return EXIT_OK if report["passed"] else EXIT_PROBLEMS


def _calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from ..evals.compare import BaselineError, load_report

    try:
        baseline = load_report(args.baseline) if args.baseline else None
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    use_heads = not args.lexicon_only
    reader = "lexicons only" if args.lexicon_only else "learned heads with the lexicons"
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return EXIT_USAGE
        return _calibrate_file(args, settings, path, baseline, use_heads, reader)
    from ..corpus import load_corpus

    corpus = load_corpus(Path(args.real))
    for problem in corpus.problems:
        print(problem, file=sys.stderr)
    if not corpus.replies and not corpus.comments:
        print(f"error: {args.real}: no labelled real text (run from the project folder)", file=sys.stderr)
        return EXIT_USAGE
    splits = ("train", "dev", "test") if args.split in (None, "all") else (args.split,)
    status = EXIT_OK
    for split in splits:
        status = max(status, _calibrate_split(args, corpus, split, baseline, use_heads, reader))
    if args.split is None:
        print(f"\n== team-written set {SYNTHETIC} (written by the same hands as the lexicons: a training figure)")
        status = max(status, _calibrate_file(args, settings, SYNTHETIC, baseline, use_heads, reader))
    return status


def _calibrate_split(args, corpus, split, baseline, use_heads, reader) -> int:
    from ..calibration import calibrate, calibrate_comments, comment_lines, corpus_replies, report_lines

    what = {
        "train": "the heads were fitted on it: a training figure",
        "dev": "thresholds and combinations were chosen on it",
        "test": "never used to choose anything",
    }[split]
    replies = corpus.replies_in(split, origin="real")
    comments = corpus.comments_in(split, origin="real")
    print(f"\n== real corpus, {split} split ({what}); {reader}")
    kinds = calibrate_comments(comments, use_heads)
    print("\n".join(comment_lines(kinds, show_misses=not args.quiet)))
    result = calibrate(corpus_replies(replies), None, use_heads)
    print("\n".join(report_lines(result, show_misses=not args.quiet)))
    gates = []
    if args.min_complaint_recall is not None:
        for lang in ("ru", "en"):
            _, recall, _, n = kinds.complaint(lang)
            gates.append(
                {
                    "name": f"complaint recall ({lang}) ≥ {args.min_complaint_recall}",
                    "passed": recall >= args.min_complaint_recall,
                    "detail": f"{recall:.3f} of {n} comments",
                }
            )
    description = (
        f"The checker against {result.items} real public replies and the comment reading against "
        f"{len(comments)} real comments, {split} split ({what}); {reader}."
    )
    return _finish(args, result, Path(args.real) / split, baseline, [], f"real-{split}", description, gates)


def _calibrate_file(args, settings, path, baseline, use_heads, reader) -> int:
    from ..calibration import calibrate, load_labelled, report_lines
    from ..knowledge import load_knowledge

    items, problems = load_labelled(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    result = calibrate(items, load_knowledge(settings.knowledge_dir).brand, use_heads)
    print(f"{reader}")
    print("\n".join(report_lines(result, show_misses=not args.quiet)))
    return _finish(args, result, path, baseline, problems, None, None, [])


def _finish(args, result, path, baseline, problems, name, description, gates) -> int:
    from ..evals.calibration_report import calibration_report
    from ..evals.compare import BaselineError, apply_baseline, compare
    from ..evals.reports import write_reports

    report = calibration_report(result, path, args.min_f1, problems, name, description, gates)
    if baseline is not None:
        try:
            apply_baseline(report, compare(report, baseline))
        except BaselineError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USAGE
    if args.out:
        paths = write_reports(report, args.out)
        print("reports: " + ", ".join(str(p) for p in paths.values()))
    failed = [g for g in report["gates"] if not g["passed"]]
    for gate in failed:
        print(f"✘ {gate['name']}: {gate['detail']}", file=sys.stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK
