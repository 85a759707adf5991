"""The one function that drafts: triage, retrieve, prompt, generate N variants, check, repair.

The app, `assistant draft` and the evals all call `draft_replies`. With no LLM configured (or
when the LLM fails) the offline composer drafts, and every output says which drafter wrote it.
A draft that still breaks a rule after repair is returned marked as failing, never as passing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .composer import compose, load_phrases, polish
from .composer import fill as fill_phrase
from .knowledge import Brand, Knowledge, load_knowledge
from .llm import Completion, LLMError, complete
from .prompting import Budget, fit_to_budget, load_template, quote_data
from .repair import repair
from .retrieval import Source, retrieve_context
from .rules import CheckResult, check_reply
from .settings import Settings
from .store import Store, StoreError
from .triage import Triage, refine_with_llm, triage

LLM_ANGLES = ("warm and personal", "short and to the point", "calm and formal")
CONTEXT_TOKENS = 1500


@dataclass
class Draft:
    text: str
    angle: str
    check: CheckResult
    repairs: tuple[str, ...] = ()
    revised: bool = False
    usage: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.check.passed

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "angle": self.angle,
            "passed": self.passed,
            **self.check.to_dict(),
            "repairs": list(self.repairs),
            "revised": self.revised,
            "usage": self.usage,
        }


@dataclass
class DraftResult:
    comment: str
    channel: str | None
    drafts: list[Draft]
    triage: Triage
    sources: list[Source]
    drafter: str  # "offline composer" or "llm:<model>"
    prompt_versions: dict[str, str]
    timings_ms: dict[str, float]
    budget: Budget | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def usage(self) -> dict:
        total = {"input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}
        for d in self.drafts:
            for key in total:
                total[key] += d.usage.get(key, 0)
        return total

    def to_dict(self) -> dict:
        return {
            "comment": self.comment,
            "channel": self.channel,
            "drafter": self.drafter,
            "drafts": [d.to_dict() for d in self.drafts],
            "triage": self.triage.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
            "prompt_versions": self.prompt_versions,
            "timings_ms": self.timings_ms,
            "usage": self.usage,
            "budget": self.budget.to_dict() if self.budget else None,
            "warnings": self.warnings,
        }


class _Clock:
    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def stage(self, name: str):
        clock = self

        class _Stage:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                clock.marks[name] = round((time.perf_counter() - self.started) * 1000, 2)

        return _Stage()


def draft_replies(
    comment: str,
    settings: Settings,
    channel: str | None = None,
    name: str | None = None,
    n: int = 3,
    context: str | None = None,
    store: Store | None = None,
    knowledge: Knowledge | None = None,
    use_llm: bool | None = None,
    on_token: Callable[[int, str], None] | None = None,
) -> DraftResult:
    """Drafts for one comment. `on_token(variant, text)` receives the LLM's text as it streams."""
    if not comment or not comment.strip():
        raise ValueError("the comment is empty: paste the customer's comment to draft a reply")
    clock = _Clock()
    knowledge = knowledge or load_knowledge(settings.knowledge_dir)
    brand = knowledge.brand
    warnings = [f"knowledge has {len(knowledge.errors)} error(s); run `assistant lint`"] if knowledge.errors else []
    use_llm = settings.llm_configured if use_llm is None else use_llm
    with clock.stage("triage"):
        found = triage(comment, brand)
    # retrieval needs only the offline triage (topic, language), so it runs while the LLM refines it
    with ThreadPoolExecutor(max_workers=1) as pool:
        refining = (
            pool.submit(refine_with_llm, found, comment, settings, brand) if use_llm and settings.llm_triage else None
        )
        with clock.stage("retrieval"):
            sources = _sources(store, settings, comment, found, channel, warnings)
        if refining is not None:
            started = time.perf_counter()
            found, problem = refining.result()
            clock.marks["llm_triage_wait"] = round((time.perf_counter() - started) * 1000, 2)
            warnings += [problem] if problem else []
    warnings += _triage_warnings(found)
    drafter = f"llm:{settings.llm_model}" if use_llm else "offline composer"
    versions = {"composer": load_phrases(settings.prompts_dir, found.lang).get("version", "composer-0")}
    if found.source == "llm":
        versions["triage"] = load_template(settings.prompts_dir, "triage").version
    budget = None
    drafts: list[Draft] = []
    if use_llm:
        try:
            drafts, budget, llm_versions = _llm_drafts(
                comment, found, sources, brand, channel, name, n, context, settings, clock, on_token
            )
            versions.update(llm_versions)
        except LLMError as error:
            warnings.append(f"the LLM failed ({error}); these drafts are from the offline composer")
            drafter = "offline composer (LLM failed)"
    if not drafts:
        with clock.stage("generation"):
            past = [{"id": s.id, "text": s.text, "lang": s.metadata.get("lang")} for s in sources if s.kind == "reply"]
            composed = compose(comment, found, brand, channel, name, settings.prompts_dir, n, past)
        with clock.stage("check_and_repair"):
            drafts = [_checked(d.text, d.angle, comment, channel, found, brand, settings) for d in composed]
    return DraftResult(comment, channel, drafts, found, sources, drafter, versions, clock.marks, budget, warnings)


def _triage_warnings(found: Triage) -> list[str]:
    notes = []
    if found.injection:
        notes.append(
            "the comment tries to steer the assistant ("
            + ", ".join(f.text for f in found.injection)
            + "): it was treated as data, and no draft may promise more than the policy allows"
        )
    if found.personal_data:
        notes.append(
            "the comment shows personal data ("
            + ", ".join(sorted({f.kind for f in found.personal_data}))
            + "): hide the comment and continue in private messages"
        )
    if found.severity == "crisis":
        notes.append("possible crisis (safety, mass failure or public escalation): tell a senior manager now")
    return notes


def _sources(store, settings, comment, found, channel, warnings) -> list[Source]:
    try:
        store = store or _open_store(settings)
        sources = retrieve_context(store, comment, found.topic, channel, found.lang)
    except (StoreError, OSError) as error:
        warnings.append(f"the knowledge index is unavailable ({error}); drafts are not grounded in past replies")
        return []
    if not sources:
        warnings.append("the knowledge index is empty: run `assistant ingest` so drafts can use policies and examples")
    return sources


def _open_store(settings: Settings) -> Store:
    from .ingest import open_store

    return open_store(settings)


def _checked(
    text,
    angle,
    comment,
    channel,
    found: Triage,
    brand: Brand | None,
    settings: Settings,
    revised: bool = False,
    usage: dict | None = None,
    result: CheckResult | None = None,
) -> Draft:
    """Check a draft (unless `result` already checked this text); repair what fails,
    deterministically; report what still fails."""

    def check(candidate: str) -> CheckResult:
        return check_reply(candidate, comment, channel, found.lang, brand)

    result = result or check(text)
    actions: tuple[str, ...] = ()
    if not result.passed:
        phrases = load_phrases(settings.prompts_dir, found.lang)
        values = _phrase_values(brand, channel, found.lang, phrases)
        dm = fill_phrase(phrases["dm_invitation"]["email" if channel == "email" else "default"], values, found.lang)
        apology = (phrases["empathy"].get(found.topic) or phrases["empathy"]["default"])[0]
        remedy = next(
            (
                r
                for r in (
                    fill_phrase(t, values, found.lang)
                    for t in phrases["remedy"].get(found.topic) or phrases["remedy"]["default"]
                )
                if r
            ),
            None,
        )
        limit = brand.channels[channel].max_chars if brand and channel in brand.channels else None
        fixed = repair(
            text,
            result,
            limit,
            dm and polish(dm, found.lang),
            fill_phrase(apology, values, found.lang),
            remedy and polish(remedy, found.lang),
            check,
        )
        text, actions = fixed.text, fixed.actions
        result = check(text)
    return Draft(text, angle, result, actions, revised, usage or {})


def _phrase_values(brand, channel, lang, phrases) -> dict:
    from .composer import brand_limits

    values = brand_limits(brand)
    channel_info = brand.channels.get(channel) if brand and channel else None
    values["dm"] = (channel_info.dm.get(lang) if channel_info else None) or (
        "личные сообщения" if lang == "ru" else "DM"
    )
    values["subject"] = phrases["subject_fallback"]["default"]
    return values


def _llm_drafts(comment, found, sources, brand, channel, name, n, context, settings, clock, on_token):
    from .judge import describe_commitments

    system_t = load_template(settings.prompts_dir, "system")
    draft_t = load_template(settings.prompts_dir, "draft")
    revise_t = load_template(settings.prompts_dir, "revise")
    channel_info = brand.channels.get(channel) if brand and channel else None
    with clock.stage("prompt"):
        kept, budget = fit_to_budget(sources, lambda s: s.text, lambda s: s.id, lambda s: s.score, CONTEXT_TOKENS)
        system = system_t.render(
            brand_name=brand.name if brand else "the shop",
            voice=(brand.voice.get(found.lang) if brand else "") or "",
            dm_name=(channel_info.dm.get(found.lang) if channel_info else None) or "private messages",
            lang_name="Russian" if found.lang == "ru" else "English",
            max_chars=str(channel_info.max_chars if channel_info else 2000),
            sign_off=(brand.sign_off.get(found.lang) if brand else "") or "",
            commitments=describe_commitments(brand),
        )
        policies = "\n".join(f"- [{s.title}] {s.text}" for s in kept if s.kind == "policy") or "(none)"
        examples = (
            "\n".join(
                f"- Comment: {s.metadata.get('comment', '')}\n  Reply: {s.text}" for s in kept if s.kind == "reply"
            )
            or "(none)"
        )
        warnings = "; ".join(_triage_warnings(found))
    drafts = []
    generation_ms = check_ms = 0.0
    for index in range(max(1, n)):
        angle = LLM_ANGLES[index % len(LLM_ANGLES)]
        user = draft_t.render(
            channel=channel or "unknown",
            name=name or "unknown",
            topic=found.topic,
            sentiment=found.sentiment,
            complainer=found.complainer,
            severity=found.severity,
            warnings=f"Warnings: {warnings}" if warnings else "",
            policies=policies,
            examples=examples,
            context=quote_data("context", context),
            comment=quote_data("comment", comment),
            angle=angle,
        )
        started = time.perf_counter()
        answer = complete(settings, system, user, on_token=(lambda t, i=index: on_token(i, t)) if on_token else None)
        generation_ms += (time.perf_counter() - started) * 1000
        usage = _usage(answer)
        started = time.perf_counter()
        result = check_reply(answer.text, comment, channel, found.lang, brand)
        text, revised = answer.text, False
        check_ms += (time.perf_counter() - started) * 1000
        if not result.passed:
            failures = "\n".join(f"- {rule}: {result.verdicts[rule].message}" for rule in result.failed_rules)
            started = time.perf_counter()
            revision = complete(
                settings,
                system,
                revise_t.render(
                    failures=failures, comment=quote_data("comment", comment), reply=quote_data("reply", text)
                ),
            )
            generation_ms += (time.perf_counter() - started) * 1000
            text, revised = revision.text, True
            usage = {k: usage[k] + v for k, v in _usage(revision).items()}
        started = time.perf_counter()
        drafts.append(
            _checked(text, angle, comment, channel, found, brand, settings, revised, usage, None if revised else result)
        )
        check_ms += (time.perf_counter() - started) * 1000
    clock.marks["generation"] = round(generation_ms, 2)
    clock.marks["check_and_repair"] = round(check_ms, 2)
    versions = {"system": system_t.version, "draft": draft_t.version, "revise": revise_t.version}
    return drafts, budget, versions


def _usage(answer: Completion) -> dict:
    return {
        "input_tokens": answer.input_tokens,
        "output_tokens": answer.output_tokens,
        "cost_usd": round(answer.cost_usd, 6),
    }


def default_prompts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "prompts"
