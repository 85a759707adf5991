"""Compare a run with a baseline report: which rules' pass rates dropped and which cases that
passed now fail. Either is a regression, and the eval run exits non-zero on it."""

from __future__ import annotations

import json
from pathlib import Path

TOLERANCE = 1e-9  # a rate equal to the baseline's is no drop


class BaselineError(ValueError):
    pass


def load_report(path: Path | str) -> dict:
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline report ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}: not a JSON report ({error.msg})") from error
    if not isinstance(report, dict) or "rules" not in report or "cases" not in report:
        raise BaselineError(f"{path}: not an eval report (it has no rules and cases); pass a report.json from eval run")
    return report


def compare(current: dict, baseline: dict) -> dict:
    rule_changes = []
    for rule, row in current["rules"].items():
        before = (baseline["rules"].get(rule) or {}).get("rate")
        now = row.get("rate")
        if before is None or now is None:
            continue
        rule_changes.append({"rule": rule, "baseline": before, "current": now, "dropped": now < before - TOLERANCE})
    old_cases = {c["id"]: c for c in baseline["cases"]}
    newly_failing, newly_passing = [], []
    for case in current["cases"]:
        old = old_cases.get(case["id"])
        if old is None:
            continue
        if old["passed"] and not case["passed"]:
            newly_failing.append({"id": case["id"], "problems": case.get("problems", [])})
        elif case["passed"] and not old["passed"]:
            newly_passing.append(case["id"])
    dropped = [c for c in rule_changes if c["dropped"]]
    return {
        "baseline": {"suite": baseline.get("suite"), "created": baseline.get("created"), "ids": baseline.get("ids")},
        "rules": rule_changes,
        "dropped_rules": [c["rule"] for c in dropped],
        "newly_failing": newly_failing,
        "newly_passing": newly_passing,
        "regressed": bool(dropped or newly_failing),
    }


def apply_baseline(report: dict, comparison: dict) -> None:
    """Add the comparison and its gate to the report."""
    report["baseline"] = comparison
    parts = []
    if comparison["dropped_rules"]:
        parts.append("pass rate dropped: " + ", ".join(comparison["dropped_rules"]))
    if comparison["newly_failing"]:
        parts.append("cases that passed now fail: " + ", ".join(c["id"] for c in comparison["newly_failing"]))
    report["gates"].append(
        {
            "name": "no regression against the baseline",
            "passed": not comparison["regressed"],
            "detail": "; ".join(parts) or "none",
        }
    )
    report["passed"] = report["passed"] and not comparison["regressed"]
