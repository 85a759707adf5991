"""The rules, registered once: every list of rules (the checker, reports, suites, the judge's
prompt, `assistant check`) reads this registry, so a new rule is one function with its decorator,
its lexicon entries and its labels, not an edit in fifteen places."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

APPLIES = ("always", "complaints", "promises", "with a comment", "with a channel", "public channels")


@dataclass(frozen=True)
class Rule:
    id: str
    check: Callable[[Any], Any]  # Case -> Verdict
    passes_when: str  # one sentence, shown to the LLM judge and in `assistant rules`
    applies: str  # when the rule is not "n/a" (one of APPLIES)
    decided_by: tuple[str, ...]  # "lexicon", "head", "rule": what may decide its verdict
    rank: int  # its place in every checklist


RULES: dict[str, Rule] = {}


def rule(passes_when: str, rank: int, applies: str = "always", decided_by: tuple[str, ...] = ("lexicon",)):
    """Register a rule function under its name (the stable rule id reports and suites use)."""
    if applies not in APPLIES:
        raise ValueError(f"applies={applies!r} is not one of {APPLIES}")

    def register(check: Callable) -> Callable:
        if check.__name__ in RULES:
            raise ValueError(f"rule {check.__name__!r} is registered twice")
        RULES[check.__name__] = Rule(check.__name__, check, passes_when, applies, decided_by, rank)
        ordered = sorted(RULES.values(), key=lambda r: r.rank)
        RULES.clear()
        RULES.update((r.id, r) for r in ordered)
        return check

    return register


def describe_rules() -> str:
    """The rule list as the judge prompt needs it: id, when it passes, when it is n/a."""
    lines = []
    for r in RULES.values():
        when = "" if r.applies == "always" else f" n/a unless it applies ({r.applies})."
        lines.append(f"- {r.id}: {r.passes_when}{when}")
    return "\n".join(lines)
