"""Score drafts against a case's expectations, then a run against the suite's thresholds.

A rule listed in `expect.rules` must pass on every draft. `n/a` counts as a failure there (the
checker decided the rule does not apply to a comment the case says it does), except for the
rules whose n/a means there was nothing to break: `policy_grounded` (nothing promised) and
`no_public_personal_data` (an e-mail is private).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..rules import FAIL, NA, PASS, RULE_IDS
from .suites import Case, SuiteSettings

NA_IS_FINE = {"policy_grounded", "no_public_personal_data"}


def draft_problems(case: Case, draft: dict) -> list[str]:
    """What this draft (a Draft.to_dict()) misses of the case's expectations; [] when it meets them."""
    problems = []
    verdicts = draft["verdicts"]
    for rule in case.expect.rules:
        status = verdicts.get(rule)
        if status == PASS or (status == NA and rule in NA_IS_FINE):
            continue
        message = draft.get("messages", {}).get(rule, "")
        problems.append(f"{rule} is {status}" + (f": {message}" if message else ""))
    text = draft["text"].casefold()
    for options in case.expect.must_mention:
        if not any(o.casefold() in text for o in options):
            problems.append("does not mention " + " / ".join(f'"{o}"' for o in options))
    return problems + _limit_problems(case, draft)


def breaks_limits(case: Case, draft: dict) -> bool:
    """The draft says something the case forbids, or is too long: what the checklist must catch."""
    return bool(_limit_problems(case, draft))


def _limit_problems(case: Case, draft: dict) -> list[str]:
    text = draft["text"].casefold()
    problems = [f'mentions "{p}", which it must not' for p in case.expect.must_not_mention if p.casefold() in text]
    if case.expect.max_len and len(draft["text"]) > case.expect.max_len:
        problems.append(f"is {len(draft['text'])} characters long (at most {case.expect.max_len})")
    return problems


@dataclass
class Gate:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def rule_rates(cases: list[dict]) -> dict[str, dict]:
    """Pass rate per rule over the drafts where the rule applied (pass or fail, not n/a)."""
    counts = {rule: Counter() for rule in RULE_IDS}
    for case in cases:
        for draft in case.get("drafts", []):
            for rule, status in draft["verdicts"].items():
                counts[rule][status] += 1
    rates = {}
    for rule, c in counts.items():
        applied = c[PASS] + c[FAIL]
        rates[rule] = {"pass": c[PASS], "fail": c[FAIL], "na": c[NA], "rate": c[PASS] / applied if applied else None}
    return rates


def tag_rates(cases: list[dict]) -> dict[str, dict]:
    """Share of cases that pass, per tag."""
    seen: dict[str, Counter] = {}
    for case in cases:
        for tag in case.get("tags", []):
            seen.setdefault(tag, Counter())["cases"] += 1
            seen[tag]["passed"] += int(case["passed"])
    return {
        tag: {"cases": c["cases"], "passed": c["passed"], "rate": c["passed"] / c["cases"]}
        for tag, c in sorted(seen.items())
    }


def gates(settings: SuiteSettings, rules: dict[str, dict], cases: list[dict], missed: int) -> list[Gate]:
    found = []
    for rule, threshold in settings.thresholds.items():
        rate = rules[rule]["rate"]
        shown = "no draft where it applies" if rate is None else f"{rate:.1%}"
        found.append(Gate(f"{rule} pass rate ≥ {threshold:.0%}", rate is None or rate >= threshold, shown))
    passed = sum(c["passed"] for c in cases)
    share = passed / len(cases) if cases else 0.0
    found.append(
        Gate(
            f"cases passing ≥ {settings.min_case_pass_rate:.0%}",
            bool(cases) and share >= settings.min_case_pass_rate,
            f"{passed}/{len(cases)} = {share:.1%}",
        )
    )
    errors = [c["id"] for c in cases if c.get("error")]
    found.append(Gate("every case drafted without an error", not errors, ", ".join(errors) or "none"))
    found.append(
        Gate(
            f"drafts that pass the checklist yet break a case's limits ≤ {settings.max_missed_by_checker}",
            missed <= settings.max_missed_by_checker,
            str(missed),
        )
    )
    return found
