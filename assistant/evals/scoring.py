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


KIND_OF_SENTIMENT = {"negative": "complaint", "positive": "praise", "question": "question", "neutral": "neutral"}


def reading_problems(case: Case, triage: dict) -> dict[str, str | None]:
    """How the comment was read, against the case's `kind` and `topic` (the drafts answer that
    reading): expectation -> what is wrong, or None when it was read right."""
    found: dict[str, str | None] = {}
    kind = KIND_OF_SENTIMENT.get(triage.get("sentiment"), triage.get("sentiment"))
    if case.expect.kind:
        found["kind"] = None if kind == case.expect.kind else f"read as {kind}, but it is {case.expect.kind}"
    if case.expect.topic:
        topic = triage.get("topic")
        found["topic"] = (
            None
            if topic in case.expect.topic
            else f"read as about {topic}, but it is about {' or '.join(case.expect.topic)}"
        )
    return found


def expectations_met(case: Case, reading: dict[str, str | None], drafts: list[dict]) -> dict[str, bool]:
    """Which kinds of expectation the case met: the reading's, and every draft's."""
    text = [d["text"].casefold() for d in drafts]
    met = {name: problem is None for name, problem in reading.items()}
    if case.expect.must_mention:
        met["must_mention"] = all(
            any(o.casefold() in t for o in options) for t in text for options in case.expect.must_mention
        )
    if case.expect.must_not_mention:
        met["must_not_mention"] = not any(p.casefold() in t for t in text for p in case.expect.must_not_mention)
    if case.expect.rules:
        met["rules"] = all(
            d["verdicts"].get(r) == PASS or (d["verdicts"].get(r) == NA and r in NA_IS_FINE)
            for d in drafts
            for r in case.expect.rules
        )
    return met


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


def verdicts_at(draft: dict, stage: str) -> dict[str, str]:
    """The checklist of a draft as first written (`first`) or as delivered after repair (`delivered`)."""
    if stage == "first" and draft.get("stages"):
        return draft["stages"][0]["verdicts"]
    return draft["verdicts"]


def gated(cases: list[dict]) -> list[dict]:
    """The cases the gates count: a case the suite marks as a known failure is reported, not counted."""
    return [c for c in cases if not c.get("known_failure")]


def rule_rates(cases: list[dict], stage: str = "delivered") -> dict[str, dict]:
    """Pass rate per rule over the drafts where the rule applied (pass or fail, not n/a)."""
    counts = {rule: Counter() for rule in RULE_IDS}
    for case in cases:
        for draft in case.get("drafts", []):
            for rule, status in verdicts_at(draft, stage).items():
                counts[rule][status] += 1
    rates = {}
    for rule, c in counts.items():
        applied = c[PASS] + c[FAIL]
        rates[rule] = {"pass": c[PASS], "fail": c[FAIL], "na": c[NA], "rate": c[PASS] / applied if applied else None}
    return rates


def grader_rates(cases: list[dict]) -> dict[str, dict]:
    """Per rule: drafts a grader read, and where it disagreed with the checker in either direction."""
    rows: dict[str, Counter] = {}
    for case in cases:
        for draft in case.get("drafts", []):
            grade = draft.get("grader") or {}
            for said in (grade.get("verdicts") or {}).values():
                for rule in said:
                    rows.setdefault(rule, Counter())["graded"] += 1
            for d in grade.get("disagreements") or []:
                key = "checker_passed" if d["checker"] == PASS else "checker_failed"
                rows.setdefault(d["rule"], Counter())[key] += 1
    return {
        rule: {"graded": c["graded"], "checker_passed": c["checker_passed"], "checker_failed": c["checker_failed"]}
        for rule, c in sorted(rows.items())
    }


def disagreements(case: dict) -> list[tuple[int, dict]]:
    """(draft number, disagreement) for every draft of a case the grader disagreed on."""
    return [
        (number, d)
        for number, draft in enumerate(case.get("drafts") or [], 1)
        for d in (draft.get("grader") or {}).get("disagreements", [])
    ]


def expectation_rates(cases: list[dict]) -> dict[str, dict]:
    """How many cases met each kind of expectation: the reading (kind, topic), and the drafts'."""
    rows: dict[str, Counter] = {}
    for case in cases:
        for name, met in (case.get("met") or {}).items():
            rows.setdefault(name, Counter())["cases"] += 1
            rows[name]["met"] += int(met)
    return {name: {"cases": c["cases"], "met": c["met"], "rate": c["met"] / c["cases"]} for name, c in rows.items()}


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


def _rate_gates(thresholds: dict, rates: dict, expected_empty: tuple[str, ...], label: str) -> list[Gate]:
    found = []
    for rule, threshold in thresholds.items():
        rate = rates[rule]["rate"]
        name = f"{rule} pass rate{label} ≥ {threshold:.0%}"
        if rate is None:
            expected = rule in expected_empty
            detail = "no data: no draft where the rule applies" + (" (the suite expects none)" if expected else "")
            found.append(Gate(name, expected, detail))
        else:
            found.append(Gate(name, rate >= threshold, f"{rate:.1%}"))
    return found


def gates(settings: SuiteSettings, cases: list[dict], grader: dict) -> list[Gate]:
    """The suite's verdict. Known failures are left out of every count (and listed in the report);
    a rate that could not be measured is "no data" and fails unless the suite says it expects none."""
    counted = gated(cases)
    expected_empty = settings.no_data_expected
    found = _rate_gates(settings.thresholds, rule_rates(counted), expected_empty, "")
    found += _rate_gates(
        settings.first_draft_thresholds, rule_rates(counted, "first"), expected_empty, " (first draft)"
    )
    drafts = [d for c in counted for d in c.get("drafts", [])]
    changed = sum(bool(d.get("changed")) for d in drafts)
    share = changed / len(drafts) if drafts else None
    found.append(
        Gate(
            f"drafts that needed repair or revision ≤ {settings.max_repaired_share:.0%}",
            share is not None and share <= settings.max_repaired_share,
            "no data: no drafts" if share is None else f"{changed}/{len(drafts)} = {share:.1%}",
        )
    )
    found += _grader_gates(settings, grader)
    met = expectation_rates(counted)
    for name, minimum in settings.min_expectation_rates.items():
        row = met.get(name)
        detail = "no data: no case expects it" if row is None else f"{row['met']}/{row['cases']} = {row['rate']:.1%}"
        found.append(
            Gate(
                f"cases meeting their {name} expectation ≥ {minimum:.0%}", bool(row) and row["rate"] >= minimum, detail
            )
        )
    passed = sum(c["passed"] for c in counted)
    share = passed / len(counted) if counted else 0.0
    known = len(cases) - len(counted)
    found.append(
        Gate(
            f"cases passing ≥ {settings.min_case_pass_rate:.0%}",
            bool(counted) and share >= settings.min_case_pass_rate,
            f"{passed}/{len(counted)} = {share:.1%}" + (f" ({known} known failures not counted)" if known else ""),
        )
    )
    errors = [c["id"] for c in cases if c.get("error")]
    found.append(Gate("every case drafted without an error", not errors, ", ".join(errors) or "none"))
    missed = sum(d["breaks_limits"] and d["passed"] for d in drafts)
    found.append(
        Gate(
            f"drafts that pass the checklist yet break a case's limits ≤ {settings.max_missed_by_checker}",
            missed <= settings.max_missed_by_checker,
            str(missed),
        )
    )
    return found


def _grader_gates(settings: SuiteSettings, grader: dict) -> list[Gate]:
    """Per rule the grader read: the share of drafts where it found a problem the checker passed."""
    limit = settings.max_grader_disagreement
    name = "the grader finds a problem the checker passed in ≤ {:.0%} of drafts{}"
    if not grader.get("by"):
        expected = "grader" in settings.no_data_expected
        why = grader.get("absent") or "no grader ran"
        return [Gate(name.format(limit, ""), expected, f"no data: {why}")]
    found = []
    for rule, row in grader["rules"].items():
        if not row["graded"]:
            continue
        share = row["checker_passed"] / row["graded"]
        found.append(
            Gate(
                name.format(limit, f" ({rule})"),
                share <= limit,
                f"{row['checker_passed']}/{row['graded']} = {share:.1%}",
            )
        )
    return found
