"""The drafters behind one small interface: given a request (the comment as read, the sources, the
brand, the channel, how many variants), write checked drafts, streaming the text where the drafter
can, and report what they cost.

`draft_replies` does not know which drafter it holds: the LLM, the offline composer, or the LLM
with the composer as its fallback. Tests hand it a fake drafter in-process when HTTP is not the point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .composer import compose
from .drafts import Draft
from .knowledge import Brand
from .llm import LLMError
from .llm_drafting import llm_drafts
from .prompting import Budget
from .repair import check_and_repair
from .retrieval import Source
from .settings import Settings
from .shortening import shorten
from .triage import Triage

OFFLINE = "offline composer"


@dataclass(frozen=True)
class DraftRequest:
    comment: str
    found: Triage
    sources: list[Source]
    brand: Brand | None
    channel: str | None
    name: str | None
    n: int
    context: str | None
    settings: Settings
    notes: list[str] = field(default_factory=list)  # what triage warns of, for a model to heed
    instruction: str | None = None  # the writer's request when regenerating ("shorter", "in English")
    on_token: Callable[[int, str], None] | None = None  # (variant, text so far) as a model streams


@dataclass
class Drafted:
    drafts: list[Draft]
    drafter: str  # "offline composer", "llm:<model>", or "offline composer (LLM failed)"
    versions: dict[str, str] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    budget: Budget | None = None
    warnings: list[str] = field(default_factory=list)


class Drafter(Protocol):
    def draft(self, request: DraftRequest) -> Drafted: ...


@dataclass(frozen=True)
class OfflineDrafter:
    """The composer: the brand's phrases and past replies, checked and repaired. Never fails on a model."""

    def draft(self, request: DraftRequest) -> Drafted:
        import time

        started = time.perf_counter()
        past = [
            {"id": s.id, "text": s.text, "lang": s.metadata.get("lang")} for s in request.sources if s.kind == "reply"
        ]
        shorter = request.instruction == "shorter"
        composed = compose(
            request.comment,
            request.found,
            request.brand,
            request.channel,
            request.name,
            request.settings.prompts_dir,
            request.n,
            past,
            None if shorter else request.instruction,
        )
        if shorter:  # each variant as it would be, then cut while its checklist holds
            composed = [dataclasses.replace(d, text=shorten(d.text, _checker(request))) for d in composed]
        generated = time.perf_counter()
        drafts = [
            check_and_repair(
                d.text,
                d.angle,
                request.comment,
                request.channel,
                request.found,
                request.brand,
                request.settings.prompts_dir,
            )
            for d in composed
        ]
        timings = {
            "generation": round((generated - started) * 1000, 2),
            "check_and_repair": round((time.perf_counter() - generated) * 1000, 2),
        }
        return Drafted(drafts, OFFLINE, timings_ms=timings)


def _checker(request: DraftRequest):
    from .rules import check_reply

    return lambda text: check_reply(text, request.comment, request.channel, request.found.lang, request.brand)


@dataclass(frozen=True)
class LLMDrafter:
    """The configured chat model. Raises LLMError only when no variant could be written."""

    def draft(self, request: DraftRequest) -> Drafted:
        settings = request.settings
        written = llm_drafts(
            request.comment,
            request.found,
            request.sources,
            request.brand,
            request.channel,
            request.name,
            request.n,
            request.context,
            settings,
            request.notes,
            request.on_token,
            request.instruction,
        )
        warnings = []
        if written.failures:
            warnings.append(f"{len(written.failures)} variant(s) could not be written: {written.failures[0]}")
        return Drafted(
            written.drafts,
            f"llm:{settings.llm_model}",
            written.versions,
            written.timings_ms,
            written.budget,
            warnings,
        )


@dataclass(frozen=True)
class WithFallback:
    """The primary drafter, and the fallback when it fails: the writer always gets drafts, and is told."""

    primary: Drafter
    fallback: Drafter

    def draft(self, request: DraftRequest) -> Drafted:
        try:
            return self.primary.draft(request)
        except LLMError as error:
            drafted = self.fallback.draft(request)
            drafted.warnings.insert(0, f"the LLM failed ({error}); these drafts are from the {drafted.drafter}")
            drafted.drafter = f"{drafted.drafter} (LLM failed)"
            return drafted


def drafter_for(use_llm: bool) -> Drafter:
    return WithFallback(LLMDrafter(), OfflineDrafter()) if use_llm else OfflineDrafter()
