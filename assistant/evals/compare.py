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
    """Rates and cases against the baseline's. Reports of different suites cannot be compared; runs of
    one suite with different case sets are compared on the cases both ran, and the result says so."""
    from .scoring import gated, rule_rates

    if current.get("kind") != baseline.get("kind") or current.get("suite") != baseline.get("suite"):
        raise BaselineError(
            f"the baseline is a report of {baseline.get('suite') or baseline.get('kind')!r} and this run is of "
            f"{current.get('suite') or current.get('kind')!r}: compare two runs of the same suite"
        )
    now_ids = [c["id"] for c in current["cases"]]
    old_ids = {c["id"] for c in baseline["cases"]}
    common = [i for i in now_ids if i in old_ids]
    if not common:
        raise BaselineError("the two runs share no case: compare two runs of the same suite and cases")
    scope = None
    now_rules, old_rules = current["rules"], baseline["rules"]
    if len(common) != len(now_ids) or len(common) != len(old_ids):
        keep = set(common)
        scope = {
            "common": len(common),
            "only_now": [i for i in now_ids if i not in keep],
            "only_baseline": sorted(old_ids - keep),
        }
        if current.get("kind") == "suite":  # calibration reports carry no drafts to re-rate
            now_rules = rule_rates(gated([c for c in current["cases"] if c["id"] in keep]))
            old_rules = rule_rates(gated([c for c in baseline["cases"] if c["id"] in keep]))
    rule_changes = []
    for rule, row in now_rules.items():
        before = (old_rules.get(rule) or {}).get("rate")
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
        "scope": scope,
    }


def scope_note(comparison: dict) -> str | None:
    """What a comparison limited to common cases left out, in a sentence; None when nothing was."""
    scope = comparison.get("scope")
    if not scope:
        return None
    return (
        f"compared on the {scope['common']} cases both runs share; "
        f"{len(scope['only_now'])} only in this run, {len(scope['only_baseline'])} only in the baseline"
    )


def apply_baseline(report: dict, comparison: dict) -> None:
    """Add the comparison and its gate to the report."""
    report["baseline"] = comparison
    parts = [note] if (note := scope_note(comparison)) else []
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
