"""Run a suite through `draft_replies`, the function the app and the CLI call, concurrently,
and gather every case, draft, verdict, usage and timing into one report (a plain dict, written
as JSON). With the LLM drafter, answers are cached on disk, so a rerun costs nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from .. import __version__
from ..drafting import draft_replies
from ..drafts import sum_usage
from ..ingest import ingest, open_store
from ..knowledge import Knowledge
from ..settings import Settings
from ..store import Store
from .grader import grade_draft, heads_available
from .scoring import (
    breaks_limits,
    draft_problems,
    expectation_rates,
    expectations_met,
    gated,
    gates,
    grader_rates,
    reading_problems,
    rule_rates,
    tag_rates,
)
from .suites import Case, Suite


class EvalError(RuntimeError):
    """The run cannot start; the message says what to do."""


def run_suite(
    suite: Suite,
    settings: Settings,
    drafter: str | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
    grader: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    store: Store | None = None,
) -> dict:
    drafter = drafter or suite.settings.drafter
    concurrency = concurrency or suite.settings.concurrency
    if drafter == "llm" and not settings.llm_configured:
        raise EvalError(
            f"suite {suite.name} asks for the LLM drafter, but no LLM is configured: set OPENAI_API_KEY "
            "(or OPENAI_BASE_URL of an OpenAI-compatible server), or run with --drafter offline"
        )
    use_llm = drafter == "llm"
    if use_llm:
        settings = dataclasses.replace(settings, llm_cache=True)
    store = store or open_store(settings)
    synced = ingest(settings, progress=progress, store=store)  # the suite runs on the knowledge as it is now
    knowledge = synced.knowledge
    graders, absent = choose_graders(grader or suite.settings.grader, settings, use_llm)
    started = time.perf_counter()
    records: dict[str, dict] = {}
    with (
        ThreadPoolExecutor(max_workers=concurrency) as pool,
        tqdm(total=len(suite.cases), desc=f"eval {suite.name}", unit="case", disable=not _show(progress)) as bar,
    ):
        futures = {
            pool.submit(_run_case, case, suite.settings.variants, settings, store, knowledge, use_llm, graders): case
            for case in suite.cases
        }
        for done, future in enumerate(as_completed(futures), start=1):
            records[futures[future].id] = future.result()
            bar.update(1)
            if on_progress:
                on_progress(done, len(suite.cases))
    cases = [records[c.id] for c in suite.cases]  # in the suite's order, whatever finished first
    counted = gated(cases)
    rules, first_rules = rule_rates(counted), rule_rates(counted, "first")
    for rule in rules:
        rules[rule]["threshold"] = suite.settings.thresholds.get(rule)
        first_rules[rule]["threshold"] = suite.settings.first_draft_thresholds.get(rule)
    grader_summary = {"by": list(graders), "absent": absent, "rules": grader_rates(counted)}
    found_gates = gates(suite.settings, cases, grader_summary)
    missed = sum(d["breaks_limits"] and d["passed"] for c in counted for d in c["drafts"])
    drafts = [d for c in counted for d in c["drafts"]]
    known = [c for c in cases if c.get("known_failure")]
    versions: dict[str, str] = {}
    for case in cases:
        versions.update(case.get("prompt_versions") or {})
    return {
        "kind": "suite",
        "suite": suite.name,
        "path": str(suite.path),
        "description": suite.description,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "drafter": f"llm:{settings.llm_model}" if use_llm else "offline composer",
        "settings": {
            "variants": suite.settings.variants,
            "concurrency": concurrency,
            "thresholds": suite.settings.thresholds,
            "first_draft_thresholds": suite.settings.first_draft_thresholds,
            "min_case_pass_rate": suite.settings.min_case_pass_rate,
            "max_missed_by_checker": suite.settings.max_missed_by_checker,
            "max_repaired_share": suite.settings.max_repaired_share,
            "max_grader_disagreement": suite.settings.max_grader_disagreement,
            "no_data_expected": list(suite.settings.no_data_expected),
        },
        "ids": {
            "assistant": __version__,
            "knowledge": knowledge_id(settings.knowledge_dir),
            "knowledge_errors": len(knowledge.errors),
            "embedding_model": store.embedder.model_id,
            "llm_model": settings.llm_model if use_llm else None,
            "prompt_versions": versions,
        },
        "totals": {
            "cases": len(cases),
            "passed_cases": sum(c["passed"] for c in cases),
            "errors": sum(bool(c.get("error")) for c in cases),
            "drafts": sum(len(c["drafts"]) for c in cases),
            "passing_drafts": sum(d["passed"] for c in cases for d in c["drafts"]),
            "passing_first_drafts": sum(d["stages"][0]["passed"] if d.get("stages") else d["passed"] for d in drafts),
            "drafts_changed_by_repair": sum(bool(d.get("changed")) for d in drafts),
            "missed_by_checker": missed,
            "known_failures": len(known),
            "known_failures_now_passing": [c["id"] for c in known if c["passed"]],
            "seconds": round(time.perf_counter() - started, 2),
            "usage": sum_usage(c.get("usage") for c in cases),
        },
        "rules": rules,
        "first_rules": first_rules,
        "grader": grader_summary,
        "expectations": expectation_rates(counted),
        "tags": tag_rates(cases),
        "gates": [g.to_dict() for g in found_gates],
        "problems": list(suite.problems),
        "cases": cases,
        "passed": all(g.passed for g in found_gates) and not suite.problems,
    }


def choose_graders(choice: str, settings: Settings, use_llm: bool) -> tuple[tuple[str, ...], str | None]:
    """The graders to run, and why one asked for (or every one) is absent. `auto`: the learned heads,
    and the LLM judge when the LLM drafts (judging an offline run would spend tokens unasked)."""
    wanted = {"auto": ("heads", "llm") if use_llm else ("heads",), "both": ("heads", "llm"), "none": ()}
    wanted = wanted.get(choice, (choice,))
    found, missing = [], []
    for name in wanted:
        if name == "heads" and not heads_available():
            missing.append("the learned heads are not installed (assistant/heads/weights; run `assistant train`)")
        elif name == "llm" and not settings.llm_configured:
            missing.append("no LLM is configured for the LLM judge (set OPENAI_API_KEY or OPENAI_BASE_URL)")
        else:
            found.append(name)
    if not wanted:
        missing.append("the suite asks for no grader")
    return tuple(found), "; ".join(missing) or None


def _run_case(
    case: Case,
    variants: int,
    settings: Settings,
    store: Store,
    knowledge: Knowledge,
    use_llm: bool,
    graders: tuple[str, ...] = (),
):
    record = {
        "id": case.id,
        "line": case.line,
        "comment": case.comment,
        "channel": case.channel,
        "lang": case.lang,
        "customer_name": case.customer_name,
        "context": case.context,
        "tags": list(case.tags),
        "expect": dataclasses.asdict(case.expect),
        "known_failure": case.known_failure,
        "source": case.source,
        "drafts": [],
    }
    started = time.perf_counter()
    try:
        result = draft_replies(
            case.comment,
            settings,
            channel=case.channel,
            name=case.customer_name,
            n=variants,
            context=case.context,
            store=store,
            knowledge=knowledge,
            use_llm=use_llm,
        )
    except Exception as error:  # noqa: BLE001 - one broken case must not stop the run; it is reported
        import traceback

        record.update(
            passed=False,
            error=f"{type(error).__name__}: {error}",
            traceback=traceback.format_exc(limit=-4),
            problems=[f"drafting failed: {type(error).__name__}: {error}"],
        )
        return record
    data = result.to_dict()
    reading = reading_problems(case, data["triage"])
    problems = [p for p in reading.values() if p]
    for number, (draft, written) in enumerate(zip(data["drafts"], result.drafts, strict=True), start=1):
        draft["problems"] = draft_problems(case, draft)
        draft["breaks_limits"] = breaks_limits(case, draft)
        grade = grade_draft(written.text, written.check, graders, case.comment, case.channel, knowledge.brand, settings)
        draft["grader"] = grade.to_dict()
        problems += [f"draft {number}: {p}" for p in draft["problems"]]
    if use_llm and result.drafter != f"llm:{settings.llm_model}":
        problems.append(f"the LLM did not write these drafts ({'; '.join(result.warnings)})")
    record.update(
        passed=not problems and bool(data["drafts"]),
        problems=problems,
        met=expectations_met(case, reading, data["drafts"]),
        drafter=data["drafter"],
        drafts=data["drafts"],
        triage=data["triage"],
        sources=data["sources"],
        warnings=data["warnings"],
        usage=data["usage"],
        prompt_versions=data["prompt_versions"],
        timings_ms={**data["timings_ms"], "case": round((time.perf_counter() - started) * 1000, 2)},
    )
    return record


def knowledge_id(knowledge_dir: Path) -> str:
    """A short hash of every file in knowledge/: two reports with the same id ran on the same knowledge."""
    digest = hashlib.sha256()
    for path in sorted(Path(knowledge_dir).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(knowledge_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _show(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress
