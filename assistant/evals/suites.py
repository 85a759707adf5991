"""Read an eval suite (`evals/suites/*.yaml`) into typed cases. Every problem names the file and
line; a malformed case is skipped and reported, the others still run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..knowledge import yaml_lines
from ..languages import supported_codes
from ..rules import RULE_IDS

DRAFTERS = ("offline", "llm")
LANGS = supported_codes()
CHANNELS = ("instagram", "vk", "telegram", "marketplace", "email")
CASE_KEYS = {
    "id",
    "comment",
    "channel",
    "lang",
    "customer_name",
    "context",
    "tags",
    "expect",
    "known_failure",
    "source",
}
EXPECT_KEYS = {"rules", "must_mention", "must_not_mention", "max_len", "kind", "topic"}
KINDS = ("complaint", "praise", "question", "neutral")
GRADERS = ("auto", "heads", "llm", "both", "none")
SETTING_KEYS = {
    "drafter",
    "variants",
    "concurrency",
    "thresholds",
    "first_draft_thresholds",
    "min_case_pass_rate",
    "max_missed_by_checker",
    "max_repaired_share",
    "max_grader_disagreement",
    "no_data_expected",
    "grader",
    "min_expectation_rates",
}
EXPECTATIONS = ("kind", "topic", "rules", "must_mention", "must_not_mention")


@dataclass(frozen=True)
class Expect:
    rules: tuple[str, ...] = ()
    must_mention: tuple[tuple[str, ...], ...] = ()  # every item must occur; an item lists alternatives
    must_not_mention: tuple[str, ...] = ()
    max_len: int | None = None
    kind: str | None = None  # how the comment must be read: complaint, praise, question or neutral
    topic: tuple[str, ...] = ()  # the brand topics that are a right reading of it


@dataclass(frozen=True)
class Case:
    id: str
    comment: str
    channel: str
    lang: str
    tags: tuple[str, ...]
    expect: Expect
    customer_name: str | None = None
    context: str | None = None
    line: int = 0
    known_failure: str | None = None  # why it fails today (reported, not counted by the gates)
    source: str | None = None  # where a real comment was published


@dataclass(frozen=True)
class SuiteSettings:
    drafter: str = "offline"
    variants: int = 3
    concurrency: int = 4
    thresholds: dict[str, float] = field(default_factory=dict)  # rule -> minimum pass rate, delivered drafts
    first_draft_thresholds: dict[str, float] = field(default_factory=dict)  # the same, before repair/revision
    min_case_pass_rate: float = 1.0
    max_missed_by_checker: int = 0  # drafts that pass the checklist but break the case's limits
    max_repaired_share: float = 0.1  # a drafter that leans on repair is a regression even when output passes
    max_grader_disagreement: float = 0.05  # per rule: drafts where the grader finds what the checker passed
    no_data_expected: tuple[str, ...] = ()  # rules (or "grader") the suite expects no data for
    grader: str = "auto"  # auto: the heads, and the LLM judge when the LLM drafts
    min_expectation_rates: dict[str, float] = field(default_factory=dict)  # e.g. kind: 0.8 (cases read right)


@dataclass
class Suite:
    name: str
    path: Path
    description: str
    settings: SuiteSettings
    cases: list[Case]
    problems: list[str] = field(default_factory=list)  # "file:line: what is wrong"


class SuiteError(ValueError):
    """The suite cannot be read at all (missing file, broken YAML)."""


def load_suite(path: Path | str) -> Suite:
    path = Path(path)
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in path.parent.glob("*.yaml"))) if path.parent.is_dir() else ""
        raise SuiteError(f"{path}: no such suite" + (f" (suites there: {known})" if known else ""))
    try:
        data = yaml_lines.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SuiteError(f"{path}:{yaml_lines.error_line(error) or 1}: {yaml_lines.error_text(error)}") from error
    if not isinstance(data, dict):
        raise SuiteError(f"{path}:1: a suite is a mapping with `suite`, `settings` and `cases`")
    problems: list[str] = []

    def problem(line: int, text: str) -> None:
        problems.append(f"{path}:{line}: {text}")

    settings = _settings(data.get("settings") or {}, data.line_of("settings"), problem)
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise SuiteError(f"{path}:{data.line_of('cases')}: `cases` must be a non-empty list of cases")
    cases, seen = [], set()
    for raw in raw_cases:
        case = _case(raw, problem)
        if case is None:
            continue
        if case.id in seen:
            problem(case.line, f'the case id "{case.id}" is used twice; ids must be unique')
            continue
        seen.add(case.id)
        cases.append(case)
    name = str(data.get("suite") or path.stem)
    return Suite(name, path, str(data.get("description") or "").strip(), settings, cases, problems)


def _settings(raw, line: int, problem) -> SuiteSettings:
    if not isinstance(raw, dict):
        problem(line, "`settings` must be a mapping")
        return SuiteSettings()
    for key in set(raw) - SETTING_KEYS:
        problem(raw.line_of(key), f"unknown setting `{key}` (known: {', '.join(sorted(SETTING_KEYS))})")
    values: dict = {}
    drafter = raw.get("drafter", "offline")
    if drafter not in DRAFTERS:
        problem(raw.line_of("drafter"), f'drafter "{drafter}" is unknown (use offline or llm)')
    else:
        values["drafter"] = drafter
    for key, low, high in (("variants", 1, 10), ("concurrency", 1, 64), ("max_missed_by_checker", 0, 10_000)):
        if key in raw:
            if isinstance(raw[key], int) and not isinstance(raw[key], bool) and low <= raw[key] <= high:
                values[key] = raw[key]
            else:
                problem(raw.line_of(key), f"`{key}` must be a whole number from {low} to {high}")
    for key in ("min_case_pass_rate", "max_repaired_share", "max_grader_disagreement"):
        if key in raw:
            rate = _rate(raw[key])
            if rate is None:
                problem(raw.line_of(key), f"`{key}` must be a number from 0 to 1")
            else:
                values[key] = rate
    grader = raw.get("grader", "auto")
    if grader not in GRADERS:
        problem(raw.line_of("grader"), f'grader "{grader}" is unknown (use {", ".join(GRADERS)})')
    else:
        values["grader"] = grader
    empty = raw.get("no_data_expected") or []
    known = (*RULE_IDS, "grader")
    if not isinstance(empty, list) or any(e not in known for e in empty):
        problem(
            raw.line_of("no_data_expected"), f"`no_data_expected` lists rules or grader (known: {', '.join(known)})"
        )
    else:
        values["no_data_expected"] = tuple(empty)
    for key in ("thresholds", "first_draft_thresholds"):
        values[key] = _thresholds(raw, key, line, problem)
    rates = raw.get("min_expectation_rates") or {}
    if not isinstance(rates, dict) or any(k not in EXPECTATIONS or _rate(v) is None for k, v in rates.items()):
        problem(
            raw.line_of("min_expectation_rates"),
            f"`min_expectation_rates` maps {', '.join(EXPECTATIONS)} to a share of cases from 0 to 1",
        )
    else:
        values["min_expectation_rates"] = {k: _rate(v) for k, v in rates.items()}
    return SuiteSettings(**values)


def _thresholds(raw, key: str, line: int, problem) -> dict[str, float]:
    thresholds = raw.get(key) or {}
    if not isinstance(thresholds, dict):
        problem(raw.line_of(key), f"`{key}` maps rule ids to a minimum pass rate (0 to 1)")
        return {}
    found = {}
    for rule, value in thresholds.items():
        where = thresholds.line_of(rule) if hasattr(thresholds, "line_of") else line
        if rule not in RULE_IDS:
            problem(where, f'"{rule}" is not a rule (rules: {", ".join(RULE_IDS)})')
        elif _rate(value) is None:
            problem(where, f"the threshold of {rule} must be a number from 0 to 1, not {value!r}")
        else:
            found[rule] = _rate(value)
    return found


def _rate(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)


def _case(raw, problem) -> Case | None:
    if not isinstance(raw, dict):
        problem(getattr(raw, "line", 0) or 1, "a case must be a mapping with id, comment, channel, lang, tags, expect")
        return None
    line = raw.line
    errors: list[str] = []

    def bad(key: str, text: str) -> None:
        errors.append(text)
        problem(raw.line_of(key), text)

    for key in set(raw) - CASE_KEYS:
        bad(key, f"unknown key `{key}` in a case (known: {', '.join(sorted(CASE_KEYS))})")
    case_id = raw.get("id")
    label = f'case "{case_id}"' if case_id else "a case"
    if not isinstance(case_id, str) or not case_id.strip():
        bad("id", "a case needs an `id` (a short unique name)")
    for key in ("comment", "channel", "lang"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            bad(key, f"{label} needs `{key}`")
    if isinstance(raw.get("channel"), str) and raw["channel"] not in CHANNELS:
        bad("channel", f'{label}: channel "{raw["channel"]}" is unknown (known: {", ".join(CHANNELS)})')
    if isinstance(raw.get("lang"), str) and raw["lang"] not in LANGS:
        bad("lang", f'{label}: lang "{raw["lang"]}" is unknown (use {" or ".join(LANGS)})')
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        bad("tags", f"{label}: `tags` must be a list of words")
        tags = []
    expect = _expect(raw.get("expect"), raw.line_of("expect"), label, bad)
    if errors or expect is None:
        return None
    return Case(
        id=case_id.strip(),
        comment=raw["comment"].strip(),
        channel=raw["channel"],
        lang=raw["lang"],
        tags=tuple(tags),
        expect=expect,
        customer_name=_optional_text(raw.get("customer_name")),
        context=_optional_text(raw.get("context")),
        line=line,
        known_failure=_optional_text(raw.get("known_failure")),
        source=_optional_text(raw.get("source")),
    )


def _optional_text(value) -> str | None:
    return str(value).strip() if value not in (None, "") else None


def _expect(raw, line: int, label: str, bad) -> Expect | None:
    if raw is None:
        return Expect()
    if not isinstance(raw, dict):
        bad("expect", f"{label}: `expect` must be a mapping (rules, must_mention, must_not_mention, max_len)")
        return None
    ok = True
    for key in set(raw) - EXPECT_KEYS:
        bad("expect", f"{label}: unknown key `{key}` in expect (known: {', '.join(sorted(EXPECT_KEYS))})")
        ok = False
    rules = raw.get("rules") or []
    unknown = [r for r in rules if r not in RULE_IDS] if isinstance(rules, list) else ["?"]
    if unknown:
        bad("expect", f"{label}: expect.rules has unknown rules {unknown} (rules: {', '.join(RULE_IDS)})")
        ok = False
    mentions = []
    for item in raw.get("must_mention") or []:
        options = item if isinstance(item, list) else [item]
        if not options or not all(isinstance(o, str | int) and str(o).strip() for o in options):
            bad("expect", f"{label}: each must_mention item is a word or a list of alternative words")
            ok = False
            continue
        mentions.append(tuple(str(o).strip() for o in options))
    forbidden = raw.get("must_not_mention") or []
    if not isinstance(forbidden, list) or not all(isinstance(o, str | int) for o in forbidden):
        bad("expect", f"{label}: must_not_mention must be a list of words or phrases")
        ok = False
        forbidden = []
    max_len = raw.get("max_len")
    if max_len is not None and (not isinstance(max_len, int) or isinstance(max_len, bool) or max_len < 1):
        bad("expect", f"{label}: max_len must be a positive whole number of characters")
        ok = False
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        bad("expect", f'{label}: expect.kind "{kind}" is unknown (use {", ".join(KINDS)})')
        ok = False
    topic = raw.get("topic") or []
    topic = [topic] if isinstance(topic, str) else topic
    if not isinstance(topic, list) or not all(isinstance(t, str) and t.strip() for t in topic):
        bad("expect", f"{label}: expect.topic is a topic or a list of topics that are a right reading")
        ok = False
    if not ok:
        return None
    return Expect(tuple(rules), tuple(mentions), tuple(str(o) for o in forbidden), max_len, kind, tuple(topic))
