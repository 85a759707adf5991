"""The one function that drafts: triage, retrieve, then a drafter writes N checked variants.

The app, `assistant draft` and the evals all call `draft_replies`. With no LLM configured (or
when the LLM fails) the offline composer drafts (`assistant/drafters.py`), and every output says
which drafter wrote it.
A draft that still breaks a rule after repair is returned marked as failing, never as passing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .composer import load_phrases
from .drafters import Drafter, DraftRequest, drafter_for
from .drafts import Draft, DraftResult
from .heads import comment_vector
from .knowledge import Knowledge, load_knowledge, unknown_channel
from .languages import languages, name_of, supported_codes
from .prompting import load_template
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
    drafter: Drafter | None = None,
) -> DraftResult:
    """Drafts for one comment. `on_token(variant, text)` receives the LLM's text as it streams.
    `instruction` is the writer's request when regenerating (one of INSTRUCTIONS, or free text
    for an LLM); "in English" / "in Russian" also change the language the drafts are checked in.
    `drafter`: who writes (default: the LLM with the offline composer as fallback when an LLM is
    configured and `use_llm` allows, else the composer)."""
    if not comment or not comment.strip():
        raise ValueError("the comment is empty: paste the customer's comment to draft a reply")
    clock = _Clock()
    knowledge = knowledge or load_knowledge(settings.knowledge_dir)
    brand = knowledge.brand
    if problem := unknown_channel(channel, brand):
        raise ValueError(problem)
    warnings = [f"knowledge has {len(knowledge.errors)} error(s); run `assistant lint`"] if knowledge.errors else []
    if len(comment) > settings.max_comment_chars:
        # the rest would go into every prompt and hold the shared encoder; the writer keeps the whole text
        warnings.append(
            f"the comment is {len(comment):,} characters long: drafts answer its first "
            f"{settings.max_comment_chars:,} (ASSISTANT_MAX_COMMENT_CHARS)"
        )
        comment = comment[: settings.max_comment_chars]
    if context and len(context) > settings.max_comment_chars:
        warnings.append(
            f"the order context is {len(context):,} characters long: the model reads its first "
            f"{settings.max_comment_chars:,}"
        )
        context = context[: settings.max_comment_chars]
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
    notes = _triage_warnings(found)
    warnings += notes
    versions = {"composer": load_phrases(settings.prompts_dir, found.lang).get("version", "composer-0")}
    if found.source == "llm":
        versions["triage"] = load_template(settings.prompts_dir, "triage").version
    request = DraftRequest(
        comment,
        found,
        sources,
        brand,
        channel,
        name,
        n,
        context,
        settings,
        notes,
        instruction,
        on_token,
    )
    drafted = (drafter or drafter_for(use_llm)).draft(request)
    versions.update(drafted.versions)
    clock.marks.update(drafted.timings_ms)
    warnings += drafted.warnings
    return DraftResult(
        comment,
        channel,
        drafted.drafts,
        found,
        sources,
        drafted.drafter,
        versions,
        clock.marks,
        drafted.budget,
        warnings,
    )


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
        if partial := store.sync_warning():
            warnings.append(partial)
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
