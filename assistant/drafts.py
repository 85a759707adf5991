"""What a drafting run returns: the drafts with their checks, and everything a writer, QA or
the history needs to see how they were made (triage, sources, prompt versions, timings, usage)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .prompting import Budget
from .retrieval import Source
from .rules import CheckResult
from .triage import Triage


def sum_usage(usages) -> dict:
    """Tokens and cost added up over drafts (or over eval cases)."""
    total = {"input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}
    for usage in usages:
        for key in total:
            total[key] += (usage or {}).get(key, 0)
    total["cost_usd"] = round(total["cost_usd"], 6)
    return total


@dataclass(frozen=True)
class Stage:
    """A draft as it stood before something changed it: `first` as the drafter wrote it, `revised`
    after the LLM's own revision. The evals score these too, so a drafter that leans on repair shows."""

    name: str
    text: str
    check: CheckResult

    def to_dict(self) -> dict:
        return {
            "stage": self.name,
            "text": self.text,
            "verdicts": self.check.to_dict()["verdicts"],
            "passed": self.check.passed,
        }


@dataclass
class Draft:
    text: str
    angle: str
    check: CheckResult
    repairs: tuple[str, ...] = ()
    revised: bool = False
    usage: dict = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()  # what it was before repair (and revision), first first

    @property
    def passed(self) -> bool:
        return self.check.passed

    @property
    def first(self) -> Stage:
        """The draft as the drafter first wrote it (the delivered draft, when nothing changed it)."""
        return self.stages[0] if self.stages else Stage("first", self.text, self.check)

    @property
    def changed(self) -> bool:
        """Repair or revision changed what the drafter wrote."""
        return bool(self.repairs) or self.revised

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "angle": self.angle,
            "passed": self.passed,
            **self.check.to_dict(),
            "repairs": list(self.repairs),
            "revised": self.revised,
            "changed": self.changed,
            "stages": [s.to_dict() for s in self.stages],
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
        return sum_usage(d.usage for d in self.drafts)

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
