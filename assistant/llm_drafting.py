"""Drafts written by the LLM: one prompt fitted to a token budget, N variants with distinct
angles written at the same time, one targeted revision for a variant that breaks a rule, then
the same check and deterministic repair as the offline drafts.

The variants run concurrently because the writer waits for the slowest one: three variants
take about as long as one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .drafts import Draft, Stage
from .judge import describe_commitments
from .knowledge import Brand
from .languages import name_of
from .llm import Completion, LLMError, complete
from .prompting import Budget, Template, fit_to_budget, load_template, quote_data
from .repair import check_and_repair
from .retrieval import Source
from .rules import check_reply
from .settings import Settings
from .tokens import count_tokens
from .triage import Triage

LLM_ANGLES = ("warm and personal", "short and to the point", "calm and formal")
CONTEXT_TOKENS = 1500


@dataclass
class LLMDrafts:
    drafts: list[Draft]
    budget: Budget
    versions: dict[str, str]
    timings_ms: dict[str, float]
    failures: list[str]  # why a variant could not be written (the others are still returned)


@dataclass(frozen=True)
class _Request:
    """Everything a variant needs; shared read-only by the worker threads."""

    comment: str
    found: Triage
    brand: Brand | None
    channel: str | None
    settings: Settings
    system: str
    user_template: Template
    user_values: dict
    revise: Template
    deadline: float  # on the monotonic clock: every variant and revision of this draft ends by then


def llm_drafts(
    comment: str,
    found: Triage,
    sources: list[Source],
    brand: Brand | None,
    channel: str | None,
    name: str | None,
    n: int,
    context: str | None,
    settings: Settings,
    warnings: list[str],
    on_token: Callable[[int, str], None] | None = None,
    instruction: str | None = None,
) -> LLMDrafts:
    """Raises LLMError only when no variant could be written."""
    started = time.perf_counter()
    system_t = load_template(settings.prompts_dir, "system")
    draft_t = load_template(settings.prompts_dir, "draft")
    revise_t = load_template(settings.prompts_dir, "revise")
    channel_info = brand.channels.get(channel) if brand and channel else None
    system = system_t.render(
        brand_name=brand.name if brand else "the shop",
        voice=(brand.voice.get(found.lang) if brand else "") or "",
        dm_name=(channel_info.dm.get(found.lang) if channel_info else None) or "private messages",
        lang_name=name_of(found.lang),
        max_chars=str(channel_info.max_chars if channel_info else 2000),
        sign_off=(brand.sign_off.get(found.lang) if brand else "") or "",
        commitments=describe_commitments(brand),
    )
    values = {
        "channel": channel or "unknown",
        "name": name or "unknown",
        "topic": found.topic,
        "sentiment": found.sentiment,
        "complainer": found.complainer,
        "severity": found.severity,
        "warnings": f"Warnings: {'; '.join(warnings)}" if warnings else "",
        "context": quote_data("context", context),
        "comment": quote_data("comment", comment),
        # the writer's request ("shorter", "in English") comes from the app's buttons, not the customer
        "instruction": f" The writer asks for this version: {instruction}." if instruction else "",
    }
    angles = [LLM_ANGLES[i % len(LLM_ANGLES)] for i in range(max(1, n))]
    values, budget = _fit_prompt(system, draft_t, values, sources, angles, settings.max_prompt_tokens)
    deadline = time.monotonic() + settings.draft_deadline_s
    request = _Request(comment, found, brand, channel, settings, system, draft_t, values, revise_t, deadline)
    prompt_ms = (time.perf_counter() - started) * 1000
    count = max(1, n)
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(_variant, request, i, on_token) for i in range(count)]
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except LLMError as error:
                outcomes.append(error)
    written = [o for o in outcomes if not isinstance(o, LLMError)]
    failures = [str(o) for o in outcomes if isinstance(o, LLMError)]
    if not written:
        raise LLMError(failures[0])
    timings = {
        "prompt": round(prompt_ms, 2),
        "generation": round(max(w[1] for w in written), 2),  # the variants overlap: the slowest one counts
        "check_and_repair": round(sum(w[2] for w in written), 2),
    }
    versions = {"system": system_t.version, "draft": draft_t.version, "revise": revise_t.version}
    return LLMDrafts([w[0] for w in written], budget, versions, timings, failures)


def _fit_prompt(
    system: str, template: Template, values: dict, sources: list[Source], angles: list[str], limit: int
) -> tuple[dict, Budget]:
    """The sources that fit, counted on the prompt as it is sent (instructions, sources, comment,
    context) rather than on the sources alone: the most relevant first, at most CONTEXT_TOKENS of
    them, and never more than `limit` tokens in all."""

    def rendered(kept: list[Source]) -> tuple[dict, int]:
        filled = {**values, "policies": _policies(kept), "examples": _examples(kept)}
        return filled, count_tokens(system) + max(count_tokens(template.render(**filled, angle=a)) for a in angles)

    bare, fixed = rendered([])
    if fixed > limit:
        raise LLMError(
            f"the prompt would be {fixed:,} tokens before any source, over ASSISTANT_MAX_PROMPT_TOKENS ({limit:,}): "
            "shorten the order context"
        )
    kept, _ = fit_to_budget(
        sources, lambda s: s.text, lambda s: s.id, lambda s: s.score, min(CONTEXT_TOKENS, limit - fixed)
    )
    filled, used = rendered(kept)
    while used > limit and kept:  # the titles and layout around each source cost tokens too
        kept = kept[:-1]
        filled, used = rendered(kept)
    dropped = tuple(s.id for s in sources if s not in kept)
    return filled, Budget(limit, used, dropped)


def _policies(kept: list[Source]) -> str:
    return "\n".join(f"- [{s.title}] {s.text}" for s in kept if s.kind == "policy") or "(none)"


def _examples(kept: list[Source]) -> str:
    return (
        "\n".join(f"- Comment: {s.metadata.get('comment', '')}\n  Reply: {s.text}" for s in kept if s.kind == "reply")
        or "(none)"
    )


def _variant(request: _Request, index: int, on_token) -> tuple[Draft, float, float]:
    """One variant: (the checked draft, ms waiting for the model, ms checking and repairing)."""
    angle = LLM_ANGLES[index % len(LLM_ANGLES)]
    settings, comment, found = request.settings, request.comment, request.found
    user = request.user_template.render(**request.user_values, angle=angle)
    started = time.perf_counter()
    stream = (lambda text: on_token(index, text)) if on_token else None
    answer = complete(settings, request.system, user, on_token=stream, deadline=request.deadline)
    generation_ms = (time.perf_counter() - started) * 1000
    usage = _usage(answer)
    started = time.perf_counter()
    result = check_reply(answer.text, comment, request.channel, found.lang, request.brand)
    check_ms = (time.perf_counter() - started) * 1000
    text, revised = answer.text, False
    if not result.passed:
        failures = "\n".join(f"- {rule}: {result.verdicts[rule].message}" for rule in result.failed_rules)
        started = time.perf_counter()
        try:
            revision = complete(
                settings,
                request.system,
                request.revise.render(
                    failures=failures, comment=quote_data("comment", comment), reply=quote_data("reply", text)
                ),
                deadline=request.deadline,
            )
        except LLMError:
            revision = None  # no revision in time: the first text goes to the deterministic repair
        generation_ms += (time.perf_counter() - started) * 1000
        if revision is not None:
            text, revised = revision.text, True
            usage = {k: usage[k] + v for k, v in _usage(revision).items()}
    started = time.perf_counter()
    draft = check_and_repair(
        text,
        angle,
        comment,
        request.channel,
        found,
        request.brand,
        settings.prompts_dir,
        revised,
        usage,
        None if revised else result,
        (Stage("first", answer.text, result),) if revised else (),
    )
    check_ms += (time.perf_counter() - started) * 1000
    return draft, generation_ms, check_ms


def _usage(answer: Completion) -> dict:
    return {
        "input_tokens": answer.input_tokens,
        "output_tokens": answer.output_tokens,
        "cost_usd": round(answer.cost_usd, 6),
    }
