"""Write an eval report three ways: JSON (everything, for tools and baselines), JUnit XML (for
CI), and a self-contained HTML page with charts (for people). Calibration reports have the same
shape, so the same writers serve both."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from .html_report import render_html


def write_reports(report: dict, out_dir: Path | str) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = report.get("suite") or report["kind"]
    paths = {"json": out / f"{name}.json", "html": out / f"{name}.html", "junit": out / f"{name}.junit.xml"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    paths["junit"].write_bytes(junit_xml(report))
    return paths


def junit_xml(report: dict) -> bytes:
    """One test case per eval case and one per gate, so CI shows what failed by name."""
    name = report.get("suite") or report["kind"]
    cases, gates = report["cases"], report["gates"]
    failures = sum(not c["passed"] and not c.get("known_failure") for c in cases) + sum(not g["passed"] for g in gates)
    suite = ET.Element(
        "testsuite",
        name=f"eval.{name}",
        tests=str(len(cases) + len(gates)),
        failures=str(failures),
        errors="0",
        time=str(report.get("totals", {}).get("seconds", 0)),
    )
    for gate in gates:
        case = ET.SubElement(suite, "testcase", classname=f"eval.{name}.gates", name=gate["name"])
        if not gate["passed"]:
            ET.SubElement(case, "failure", message=gate["detail"]).text = gate["detail"]
    for item in cases:
        seconds = (item.get("timings_ms") or {}).get("case", 0) / 1000
        case = ET.SubElement(
            suite, "testcase", classname=f"eval.{name}.cases", name=str(item["id"]), time=f"{seconds:.3f}"
        )
        if item.get("known_failure") and not item["passed"]:
            ET.SubElement(case, "skipped", message=f"known failure: {item['known_failure']}")
        elif not item["passed"]:
            problems = item.get("problems") or ["failed"]
            ET.SubElement(case, "failure", message=problems[0]).text = "\n".join(problems)
    ET.indent(suite)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True)


def _rate(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def summary_lines(report: dict, failing_shown: int = 15) -> list[str]:
    """The table the terminal shows: pass rates per rule (first draft and delivered), the grader's
    disagreements, expectations, tags, failing cases, gates."""
    first = report.get("first_rules")
    if first is None:  # a calibration report
        lines = [f"{'rule':25} {'pass':>5} {'fail':>5} {'n/a':>5} {'rate':>7} {'min':>6}"]
        for rule, row in report["rules"].items():
            threshold = "" if row.get("threshold") is None else f"{row['threshold']:.0%}"
            missed = row.get("threshold") is not None and row.get("rate") is not None and row["rate"] < row["threshold"]
            lines.append(
                f"{rule:25} {row['pass']:>5} {row['fail']:>5} {row['na']:>5} {_rate(row.get('rate')):>7} "
                f"{threshold:>6}{'  ✘' if missed else ''}"
            )
    else:
        lines = [f"{'rule':25} {'first draft':>11} {'delivered':>10} {'min':>6}   (pass rate where the rule applies)"]
        for rule, row in report["rules"].items():
            threshold = "" if row.get("threshold") is None else f"{row['threshold']:.0%}"
            lines.append(f"{rule:25} {_rate(first[rule].get('rate')):>11} {_rate(row.get('rate')):>10} {threshold:>6}")
    grader = report.get("grader")
    if grader is not None:
        lines.append("")
        if not grader.get("by"):
            lines.append(f"grader: absent ({grader.get('absent')}); no agreement was measured")
        else:
            lines.append(
                f"grader ({', '.join(grader['by'])}): {'rule':18} {'drafts':>6} {'it fails, checker passed':>25} "
                f"{'it passes, checker failed':>26}"
            )
            for rule, row in grader["rules"].items():
                lines.append(
                    f"{'':{len(', '.join(grader['by'])) + 11}}{rule:18} {row['graded']:>6} "
                    f"{row['checker_passed']:>25} {row['checker_failed']:>26}"
                )
    if report.get("expectations"):
        lines += ["", f"{'expectation':25} {'cases':>5} {'met':>6} {'rate':>7}"]
        for name, row in report["expectations"].items():
            lines.append(f"{name:25} {row['cases']:>5} {row['met']:>6} {row['rate']:>7.1%}")
    if report.get("tags"):
        lines += ["", f"{'tag':25} {'cases':>5} {'passed':>6} {'rate':>7}"]
        for tag, row in report["tags"].items():
            lines.append(f"{tag:25} {row['cases']:>5} {row['passed']:>6} {row['rate']:>7.1%}")
    failing = [c for c in report["cases"] if not c["passed"] and not c.get("known_failure")]
    known = [c for c in report["cases"] if c.get("known_failure")]
    if known:
        lines += ["", f"known failures ({len(known)}, not counted by the gates):"]
        for case in known:
            state = "now PASSES: remove known_failure" if case["passed"] else "still fails"
            lines.append(f"  {case['id']} ({state}): {case['known_failure']}")
    if failing:
        lines += ["", f"failing cases ({len(failing)}):"]
        for case in failing[:failing_shown]:
            lines.append(f"  {case['id']}: " + "; ".join((case.get("problems") or ["failed"])[:3]))
        if len(failing) > failing_shown:
            lines.append(f"  … and {len(failing) - failing_shown} more (see the HTML or JSON report)")
    baseline = report.get("baseline")
    if baseline:
        lines += ["", f"against the baseline of {baseline['baseline'].get('created')}:"]
        for change in baseline["rules"]:
            if abs(change["current"] - change["baseline"]) > 1e-9:
                arrow = "▼" if change["dropped"] else "▲"
                lines.append(f"  {arrow} {change['rule']}: {change['baseline']:.1%} → {change['current']:.1%}")
        for case in baseline["newly_failing"]:
            lines.append(f"  ✘ {case['id']} passed before and now fails: " + "; ".join(case["problems"][:2]))
        for case_id in baseline["newly_passing"]:
            lines.append(f"  ✔ {case_id} failed before and now passes")
    lines += [""] + [f"{'✔' if g['passed'] else '✘'} {g['name']}: {g['detail']}" for g in report["gates"]]
    for problem in report.get("problems") or []:
        lines.append(f"✘ {problem}")
    return lines
