"""What the checker says about a reply: a verdict per rule, with the words that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, NA = "pass", "fail", "n/a"


@dataclass(frozen=True)
class Evidence:
    """A span of the reply (or of the comment, when `source` says so) that decided a verdict."""

    start: int
    end: int
    text: str
    source: str = "reply"
    by: str = "lexicon"  # what found it: lexicon, head (a learned head's sentence) or rule
    pattern: str = ""  # the lexicon pattern that matched, so a head can know which ones to trust

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "source": self.source, "by": self.by}


_DECIDERS = {
    "head": "the learned head",
    "lexicon": "the lexicon",
    "head and lexicon": "the learned head and the lexicon",
}


@dataclass(frozen=True)
class Verdict:
    rule: str
    status: str  # PASS, FAIL or NA
    message: str
    evidence: tuple[Evidence, ...] = ()
    decided_by: str = "rule"  # rule | lexicon | head | head and lexicon | brand.yaml

    @property
    def decided_note(self) -> str:
        """ "(by the learned head)" and the like, for checklists; empty for plain rules."""
        if self.decided_by == "rule" or self.status == "n/a":
            return ""
        return f"(by {_DECIDERS.get(self.decided_by, self.decided_by)})"


@dataclass(frozen=True)
class CheckResult:
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(v.status != FAIL for v in self.verdicts.values())

    @property
    def failed_rules(self) -> list[str]:
        return [rule for rule, v in self.verdicts.items() if v.status == FAIL]

    def to_dict(self) -> dict:
        return {
            "verdicts": {rule: v.status for rule, v in self.verdicts.items()},
            "evidence": {rule: [e.to_dict() for e in v.evidence] for rule, v in self.verdicts.items()},
            "messages": {rule: v.message for rule, v in self.verdicts.items()},
            "decided_by": {rule: v.decided_by for rule, v in self.verdicts.items()},
            "passed": self.passed,
        }


def quote(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return f"«{flat if len(flat) <= limit else flat[: limit - 1] + '…'}»"
