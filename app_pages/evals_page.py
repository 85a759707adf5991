"""The QA page: run a suite with progress, pass rates per rule as a chart, the gates, the failing
cases with their drafts and evidence, and two reports side by side."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.shared import available_store, settings
from assistant.evals.compare import BaselineError, compare, load_report, scope_note
from assistant.evals.runner import EvalError, run_suite
from assistant.evals.scoring import disagreements
from assistant.evals.suites import SuiteError, load_suite

SUITES_DIR = Path("evals/suites")
CLI_REPORTS = Path("build/evals")

st.title("Evals")
current = settings()
saved_dir = Path(current.data_dir) / "eval-reports"


def report_label(name: str) -> str:
    path = Path(name)
    return f"{path.stem} ({'this app' if path.parent == saved_dir else path.parent})"


def suite_of(path: Path) -> str:
    """The suite a report file is of, from its name: `core.json` (the CLI) or `core-20261202-101500.json`
    (this page), so the comparison offers only reports of the same suite without reading them all."""
    parts = path.stem.split("-")
    if len(parts) > 2 and parts[-1].isdigit() and parts[-2].isdigit():
        return "-".join(parts[:-2])
    return path.stem


def report_files() -> list[Path]:
    found = list(saved_dir.glob("*.json")) + [p for p in CLI_REPORTS.glob("*.json")]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


suites = sorted(SUITES_DIR.glob("*.yaml"))
if not suites:
    st.warning(f"No suites in {SUITES_DIR}/: QA adds them as YAML files (see the README).")
    st.stop()
left, middle, right = st.columns([2, 1, 1])
chosen = left.selectbox("Suite", suites, format_func=lambda p: p.stem)
drafter = middle.selectbox(
    "Drafter", ["offline", "llm"], help="llm needs OPENAI_API_KEY or OPENAI_BASE_URL; its answers are cached on disk"
)
concurrency = right.number_input("Concurrency", min_value=1, max_value=16, value=4)

if st.button("Run suite", type="primary"):
    try:
        suite = load_suite(chosen)
    except SuiteError as error:
        st.error(str(error))
        st.stop()
    for problem in suite.problems:
        st.error(f"{problem} (this case is skipped)")
    bar = st.progress(0.0, text=f"Drafting {len(suite.cases)} cases…")
    try:
        report = run_suite(
            suite,
            current,
            drafter=drafter,
            concurrency=int(concurrency),
            progress=False,
            on_progress=lambda done, total: bar.progress(done / total, text=f"{done}/{total} cases"),
            store=available_store(),
        )
    except EvalError as error:
        st.error(str(error))
        st.stop()
    saved_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = saved_dir / f"{suite.name}-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    st.session_state["eval_report"] = str(path)

files = report_files()
if not files:
    st.info("No reports yet: run a suite here, or `assistant eval run SUITE` in a terminal.")
    st.stop()
names = [str(p) for p in files]
selected = st.session_state.get("eval_report")
shown = st.selectbox(
    "Report",
    names,
    index=names.index(selected) if selected in names else 0,
    format_func=report_label,
)
report = json.loads(Path(shown).read_text(encoding="utf-8"))

totals = report["totals"]
verdict = "PASSED" if report["passed"] else "FAILED"
(st.success if report["passed"] else st.error)(
    f"{report['suite']}: {verdict} · {totals.get('passed_cases', 0)}/{totals.get('cases', 0)} cases pass · "
    f"{report.get('drafter')} · {report.get('created')}"
)
first = report.get("first_rules") or {}
rates = pd.DataFrame(
    [
        {
            "rule": rule,
            "first draft": (first.get(rule) or {}).get("rate") or 0.0,
            "delivered": row["rate"] or 0.0,
        }
        for rule, row in report["rules"].items()
    ]
).set_index("rule")
st.markdown(
    "**Pass rate per rule** (drafts where the rule applies): as the drafter wrote them, and as delivered after repair"
)
st.bar_chart(rates, horizontal=True, stack=False)
grader = report.get("grader")
if grader is not None:
    if not grader.get("by"):
        st.warning(f"Grader absent: {grader.get('absent')}. No agreement between checker and grader was measured.")
    else:
        st.markdown(f"**Second opinion** ({', '.join(grader['by'])}): drafts where it disagrees with the checker")
        st.table(
            pd.DataFrame(
                [
                    {
                        "rule": rule,
                        "drafts graded": row["graded"],
                        "it finds a problem the checker passed": row["checker_passed"],
                        "it passes what the checker failed": row["checker_failed"],
                    }
                    for rule, row in grader["rules"].items()
                ]
            )
        )
st.table(
    pd.DataFrame(
        [{"gate": g["name"], "passed": "✔" if g["passed"] else "✘", "detail": g["detail"]} for g in report["gates"]]
    )
)


failing = [c for c in report["cases"] if not c["passed"] and not c.get("known_failure")]
flagged = [c for c in report["cases"] if c["passed"] and disagreements(c)]
known = [c for c in report["cases"] if c.get("known_failure")]
for title, shown_cases in (
    (f"Failing cases ({len(failing)})", failing),
    (f"Passing cases the grader disagrees on ({len(flagged)})", flagged),
    (f"Known failures ({len(known)}, not counted by the gates)", known),
):
    if not shown_cases:
        continue
    st.markdown(f"**{title}**")
    for case in shown_cases:
        with st.expander(f"{case['id']} · {case.get('channel')} · {', '.join(case.get('tags') or [])}"):
            st.text(f"Comment: {case.get('comment', '')}")
            if case.get("known_failure"):
                st.caption(f"Known failure: {case['known_failure']}" + (" (it passes now)" if case["passed"] else ""))
            for problem in case.get("problems") or []:
                st.markdown(f"❌ {problem}")
            for number, d in disagreements(case):
                st.markdown(
                    f"⚖️ draft {number}, {d['rule']}: checker {d['checker']}, {d['by']} {d['grader']}: {d['why']}"
                )
            for number, draft in enumerate(case.get("drafts") or [], 1):
                failed = ", ".join(f"{r} {s}" for r, s in draft["verdicts"].items() if s == "fail")
                st.markdown(
                    f"Draft {number}: " + (failed or "passes") + (" (repaired)" if draft.get("changed") else "")
                )
                st.code(draft["text"], language=None, wrap_lines=True)

st.markdown("**Compare with another report of the same suite**")
others = [n for n in names if n != shown and suite_of(Path(n)) == report.get("suite")]
if others:
    baseline_name = st.selectbox(
        "Baseline",
        others,
        format_func=report_label,
    )
    try:
        comparison = compare(report, load_report(baseline_name))
    except BaselineError as error:
        st.error(str(error))
    else:
        if note := scope_note(comparison):
            st.warning(f"Different case sets: {note}.")
        st.table(
            pd.DataFrame(
                [
                    {
                        "rule": c["rule"],
                        "baseline": f"{c['baseline']:.1%}",
                        "now": f"{c['current']:.1%}",
                        "change": "▼ dropped" if c["dropped"] else ("▲" if c["current"] > c["baseline"] else ""),
                    }
                    for c in comparison["rules"]
                ]
            )
        )
        if comparison["newly_failing"]:
            st.error("Passed before, fail now: " + ", ".join(c["id"] for c in comparison["newly_failing"]))
        if comparison["newly_passing"]:
            st.success("Failed before, pass now: " + ", ".join(comparison["newly_passing"]))
else:
    st.caption("Run this suite again to compare two of its reports (reports of other suites are not comparable).")
