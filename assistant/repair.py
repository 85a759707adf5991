"""Deterministic repair of a draft that breaks a rule: what the offline mode does, and what the
LLM mode falls back to when its one revision still fails.

Each fix is small and explainable: drop the sentence that blames or over-promises, add the
brand's invitation to private messages, add an apology, cut to the channel's limit. What cannot
be fixed this way (a reply in the wrong language) is left failing and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .composer import brand_limits, comment_lemmas, load_phrases, phrase_topic, pick, polish
from .composer import fill as fill_phrase
from .drafts import Draft, Stage
from .knowledge import Brand
from .rules import CheckResult, check_reply
from .triage import Triage

_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*\s*|\n+")


@dataclass(frozen=True)
class Repair:
    text: str
    actions: tuple[str, ...]


def sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def drop_sentences_with(text: str, spans: list[tuple[int, int]]) -> str:
    keep = []
    cursor = 0
    for start, end in sentences(text):
        keep.append(text[cursor:start])
        if not any(start <= s < end for s, _ in spans):
            keep.append(text[start:end])
        cursor = end
    keep.append(text[cursor:])
    return re.sub(r"[ \t]{2,}", " ", "".join(keep)).strip()


def cut_to(text: str, limit: int, protect: list[str]) -> str:
    """Drop sentences from the end of the middle until the text fits; the greeting, the DM
    invitation and the sign-off stay."""
    parts = [text[s:e] for s, e in sentences(text)]
    while len("".join(parts).strip()) > limit and len(parts) > 2:
        removable = [i for i in range(len(parts) - 1, 0, -1) if not any(p in parts[i] for p in protect)]
        if not removable:
            break
        parts.pop(removable[0])
    result = "".join(parts).strip()
    return result if len(result) <= limit else result[: limit - 1].rsplit(" ", 1)[0] + "…"


def repair(
    text: str,
    result: CheckResult,
    limit: int | None,
    dm_sentence: str | None,
    apology: str | None,
    remedy: str | None,
    check: Callable[[str], CheckResult],
) -> Repair:
    actions = []
    failed = set(result.failed_rules)
    for rule in ("no_blame", "policy_grounded", "no_public_personal_data"):
        if rule in failed:
            spans = [(e.start, e.end) for e in result.verdicts[rule].evidence if e.source == "reply"]
            text = drop_sentences_with(text, spans)
            actions.append(f"{rule}: removed {len(spans)} sentence(s) with {result.verdicts[rule].message}")
    result = check(text)
    failed = set(result.failed_rules)
    if "concrete_solution" in failed and remedy:
        text = _insert_before_last(text, remedy)
        actions.append("concrete_solution: added the remedy the brand allows for this topic")
    if "empathy" in failed and apology:
        cut = _after_greeting(text)
        text = f"{text[:cut]}{apology} {text[cut:]}".strip()
        actions.append("empathy: added an apology")
    if "invite_dm" in failed and dm_sentence:
        text = _insert_before_last(text, dm_sentence)
        actions.append("invite_dm: added the brand's invitation to private messages")
    if limit and len(text) > limit:
        text = cut_to(text, limit, [p for p in (dm_sentence, remedy) if p])
        actions.append(f"channel_length: cut to {limit} characters")
    return Repair(text, tuple(actions))


def _after_greeting(text: str) -> int:
    """Where the first sentence ends, when it is a short greeting ("Анна, здравствуйте!")."""
    match = re.match(r"[^.!?\n]{0,40}[!,]\s*", text)
    return match.end() if match else 0


def _insert_before_last(text: str, sentence: str) -> str:
    """Before the sign-off (a last short line), or at the end."""
    head, sep, tail = text.rpartition("\n\n")
    if sep and len(tail) < 40:
        return f"{head.rstrip()} {sentence}\n\n{tail}"
    return f"{text.rstrip()} {sentence}"


def check_and_repair(
    text: str,
    angle: str,
    comment: str,
    channel: str | None,
    found: Triage,
    brand: Brand | None,
    prompts_dir: Path,
    revised: bool = False,
    usage: dict | None = None,
    result: CheckResult | None = None,
    earlier: tuple[Stage, ...] = (),
) -> Draft:
    """Check a draft (unless `result` already checked this very text), repair what fails with the
    brand's own phrases, and check again: what still fails is returned marked as failing. The draft
    keeps its stages (`earlier` ones, then this text as it came) so the evals can score the first draft."""

    def check(candidate: str) -> CheckResult:
        return check_reply(candidate, comment, channel, found.lang, brand)

    result = result or check(text)
    stages = (*earlier, Stage("revised" if revised else "first", text, result))
    actions: tuple[str, ...] = ()
    if not result.passed:
        phrases = load_phrases(prompts_dir, found.lang)
        values = brand_limits(brand)
        channel_info = brand.channels.get(channel) if brand and channel else None
        values["dm"] = (channel_info.dm.get(found.lang) if channel_info else None) or (
            "личные сообщения" if found.lang == "ru" else "DM"
        )
        values["subject"] = values["item"] = phrases["subject_fallback"]["default"]
        dm = fill_phrase(phrases["dm_invitation"]["email" if channel == "email" else "default"], values, found.lang)
        topic = phrase_topic(found)
        values["_lemmas"] = comment_lemmas(comment)
        apology = pick(phrases["empathy"].get(topic) or phrases["empathy"]["default"], 0, values, found.lang)
        remedy = pick(phrases["remedy"].get(topic) or phrases["remedy"]["default"], 0, values, found.lang)
        fixed = repair(
            text,
            result,
            channel_info.max_chars if channel_info else None,
            dm and polish(dm, found.lang),
            apology,
            remedy and polish(remedy, found.lang),
            check,
        )
        text, actions = fixed.text, fixed.actions
        result = check(text)
    return Draft(text, angle, result, actions, revised, usage or {}, stages)
