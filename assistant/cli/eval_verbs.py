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
    run.add_argument("--baseline", metavar="REPORT", help="an earlier report.json: fail on any regression")
    run.add_argument("--out", default=str(DEFAULT_OUT), help=f"where the reports go (default {DEFAULT_OUT})")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    calibrate = what.add_parser("calibrate", help="precision, recall and F1 of every rule on labelled replies")
    calibrate.add_argument("file", nargs="?", default="evals/labelled/replies.jsonl")
    calibrate.add_argument("--quiet", action="store_true", help="no list of misclassified replies")
    calibrate.add_argument("--min-f1", type=float, default=None, help="exit 1 when a rule's F1 is below this")
    calibrate.add_argument("--baseline", metavar="REPORT", help="an earlier calibration report: fail when F1 drops")
    calibrate.add_argument("--out", help="also write JSON, HTML and JUnit reports to this folder")
    calibrate.set_defaults(handler=_calibrate)


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
        report = run_suite(suite, settings, args.drafter, args.concurrency, progress=None if not args.quiet else False)
    except EvalError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if baseline is not None:
        apply_baseline(report, compare(report, baseline))
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
    from ..calibration import calibrate, load_labelled, report_lines
    from ..evals.calibration_report import calibration_report
    from ..evals.compare import BaselineError, apply_baseline, compare, load_report
    from ..evals.reports import write_reports
    from ..knowledge import load_knowledge

    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        baseline = load_report(args.baseline) if args.baseline else None
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    items, problems = load_labelled(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    result = calibrate(items, load_knowledge(settings.knowledge_dir).brand)
    print("\n".join(report_lines(result, show_misses=not args.quiet)))
    report = calibration_report(result, path, args.min_f1, problems)
    if baseline is not None:
        apply_baseline(report, compare(report, baseline))
    if args.out:
        paths = write_reports(report, args.out)
        print("reports: " + ", ".join(str(p) for p in paths.values()))
    failed = [g for g in report["gates"] if not g["passed"]]
    for gate in failed:
        print(f"✘ {gate['name']}: {gate['detail']}", file=sys.stderr)
    return EXIT_PROBLEMS if failed else EXIT_OK
