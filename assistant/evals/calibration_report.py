"""The checker's calibration as an eval report, so QA reads it with the same HTML page, the
same JUnit file and the same baseline comparison as a suite run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..calibration import FAIL, NA, PASS, Calibration


def calibration_report(
    calibration: Calibration,
    path: Path,
    min_f1: float | None,
    problems: list[str],
    name: str | None = None,
    description: str | None = None,
    extra_gates: list[dict] | None = None,
) -> dict:
    rules = {}
    for rule, score in calibration.scores.items():
        rules[rule] = {
            "rate": score.macro_f1,
            "threshold": min_f1,
            "pass": score.support(PASS),
            "fail": score.support(FAIL),
            "na": score.support(NA),
            "precision": {c: score.precision(c) for c in (PASS, FAIL, NA)},
            "recall": {c: score.recall(c) for c in (PASS, FAIL, NA)},
            "confusion": {f"{a}->{b}": n for (a, b), n in sorted(score.confusion.items())},
        }
    missed: dict[str, dict] = {}
    for item, rule, label, result in calibration.misses:
        case = missed.setdefault(
            item.id,
            {
                "id": item.id,
                "line": item.line,
                "comment": item.comment,
                "channel": item.channel,
                "reply": item.reply,
                "tags": [item.lang] if item.lang else [],
                "passed": False,
                "problems": [],
            },
        )
        verdict = result.verdicts[rule]
        case["problems"].append(f"{rule}: labelled {label}, checker says {verdict.status} ({verdict.message})")
    gates = list(extra_gates or [])
    if min_f1 is not None:
        for rule, row in rules.items():
            gates.append(
                {"name": f"{rule} F1 ≥ {min_f1}", "passed": row["rate"] >= min_f1, "detail": f"{row['rate']:.3f}"}
            )
    return {
        "kind": "calibration",
        "suite": f"calibration-{name or Path(path).stem}",
        "path": str(path),
        "description": description or f"The checker against {calibration.items} replies labelled by people.",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "drafter": "labelled replies",
        "ids": {"assistant": __version__},
        "totals": {"items": calibration.items, "misclassified_items": len(missed), "misses": len(calibration.misses)},
        "rules": rules,
        "tags": {},
        "gates": gates,
        "problems": problems,
        "cases": list(missed.values()),
        "passed": all(g["passed"] for g in gates) and not problems,
    }
