"""The one function that drafts: triage, retrieve, prompt, generate N variants, check, repair.

The app, `assistant draft` and the evals all call `draft_replies`. With no LLM configured (or
when the LLM fails) the offline composer drafts, and every output says which drafter wrote it.
A draft that still breaks a rule after repair is returned marked as failing, never as passing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .composer import compose, load_phrases
from .drafts import Draft, DraftResult
from .heads import comment_vector
from .knowledge import Knowledge, load_knowledge
from .languages import languages, name_of, supported_codes
from .llm import LLMError
from .llm_drafting import llm_drafts
from .prompting import load_template
from .repair import check_and_repair
from .retrieval import Source, retrieve_context
from .settings import Settings
from .store import Store, StoreError
from .triage import Triage, refine_with_llm, triage

__all__ = ["INSTRUCTIONS", "Draft", "DraftResult", "draft_replies"]

LANGUAGE_OF = {f"in {languages()[code].name}": code for code in supported_codes()}  # "in English": "en"
INSTRUCTIONS = ("shorter", "warmer", "more formal", *LANGUAGE_OF)  # what the app offers when regenerating


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
    instruction: str | None = None,
) -> DraftResult:
    """Drafts for one comment. `on_token(variant, text)` receives the LLM's text as it streams.
    `instruction` is the writer's request when regenerating (one of INSTRUCTIONS, or free text
    for an LLM); "in English" / "in Russian" also change the language the drafts are checked in."""
    if not comment or not comment.strip():
        raise ValueError("the comment is empty: paste the customer's comment to draft a reply")
    clock = _Clock()
    knowledge = knowledge or load_knowledge(settings.knowledge_dir)
    brand = knowledge.brand
    warnings = [f"knowledge has {len(knowledge.errors)} error(s); run `assistant lint`"] if knowledge.errors else []
    use_llm = settings.llm_configured if use_llm is None else use_llm
    with clock.stage("embedding"):
        vector = comment_vector(comment)  # read by the heads, and searched with when the index is E5
    with clock.stage("triage"):
        found = triage(comment, brand, vector)
    # retrieval needs only the offline triage (topic, language), so it runs while the LLM refines it
    with ThreadPoolExecutor(max_workers=1) as pool:
        refining = (
            pool.submit(refine_with_llm, found, comment, settings, brand) if use_llm and settings.llm_triage else None
        )
        with clock.stage("retrieval"):
            shared = vector if settings.embedding_backend == "e5" else None
            sources = _sources(store, settings, comment, found, channel, warnings, shared)
        if refining is not None:
            started = time.perf_counter()
            found, problem = refining.result()
            clock.marks["llm_triage_wait"] = round((time.perf_counter() - started) * 1000, 2)
            warnings += [problem] if problem else []
    if instruction in LANGUAGE_OF:
        found = dataclasses.replace(found, lang=LANGUAGE_OF[instruction])
    warnings += _triage_warnings(found)
    drafter = f"llm:{settings.llm_model}" if use_llm else "offline composer"
    versions = {"composer": load_phrases(settings.prompts_dir, found.lang).get("version", "composer-0")}
    if found.source == "llm":
        versions["triage"] = load_template(settings.prompts_dir, "triage").version
    budget = None
    drafts: list[Draft] = []
    if use_llm:
        try:
            written = llm_drafts(
                comment,
                found,
                sources,
                brand,
                channel,
                name,
                n,
                context,
                settings,
                _triage_warnings(found),
                on_token,
                instruction,
            )
            drafts, budget = written.drafts, written.budget
            versions.update(written.versions)
            clock.marks.update(written.timings_ms)
            if written.failures:
                warnings.append(f"{len(written.failures)} variant(s) could not be written: {written.failures[0]}")
        except LLMError as error:
            warnings.append(f"the LLM failed ({error}); these drafts are from the offline composer")
            drafter = "offline composer (LLM failed)"
    if not drafts:
        with clock.stage("generation"):
            past = [{"id": s.id, "text": s.text, "lang": s.metadata.get("lang")} for s in sources if s.kind == "reply"]
            composed = compose(comment, found, brand, channel, name, settings.prompts_dir, n, past, instruction)
        with clock.stage("check_and_repair"):
            drafts = [
                check_and_repair(d.text, d.angle, comment, channel, found, brand, settings.prompts_dir)
                for d in composed
            ]
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
    if found.comment_lang:
        notes.append(
            f"the comment is in {name_of(found.comment_lang)}, which Reply Assistant does not support: the drafts "
            f"are in {name_of(found.lang)} and were checked as such; have the comment translated before you answer"
        )
    if found.severity == "crisis":
        notes.append("possible crisis (safety, mass failure or public escalation): tell a senior manager now")
    return notes


def _sources(store, settings, comment, found, channel, warnings, vector=None) -> list[Source]:
    try:
        store = store or _open_store(settings)
        sources = retrieve_context(store, comment, found.topic, channel, found.lang, vector=vector)
    except (StoreError, OSError) as error:
        warnings.append(f"the knowledge index is unavailable ({error}); drafts are not grounded in past replies")
        return []
    if not sources:
        warnings.append("the knowledge index is empty: run `assistant ingest` so drafts can use policies and examples")
    return sources


def _open_store(settings: Settings) -> Store:
    from .ingest import open_store

    return open_store(settings)


def default_prompts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "prompts"
