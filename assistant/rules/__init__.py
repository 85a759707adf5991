"""The guideline checker: one small function per rule, each returning a verdict with evidence.

The app, the drafting pipeline, the evals and `assistant check` all call `check_reply`.
"""

from __future__ import annotations

from ..knowledge import Brand

# Importing a rule module registers its rules (each with its place in the checklist).
from . import commitments, contact, form, solution, tone  # noqa: F401
from .case import make_case
from .lexicon import load_lexicon
from .registry import RULES, Rule, describe_rules
from .verdicts import FAIL, NA, PASS, CheckResult, Evidence, Verdict

RULE_IDS = tuple(RULES)
CLASSES_OF_VERDICT = (PASS, FAIL, NA)

__all__ = [
    "CLASSES_OF_VERDICT",
    "FAIL",
    "NA",
    "PASS",
    "RULES",
    "RULE_IDS",
    "Rule",
    "CheckResult",
    "Evidence",
    "Verdict",
    "check_reply",
    "describe_rules",
]


def check_reply(
    reply: str,
    comment: str | None = None,
    channel: str | None = None,
    lang: str | None = None,
    brand: Brand | None = None,
    use_heads: bool = True,
    kind: str | None = None,
) -> CheckResult:
    """Check a reply against every rule. Without a brand, commitments cannot be allowed, so pass one.
    `use_heads=False` lets the lexicons decide alone (to compare the two on the same replies); `kind`
    is what a person said the comment is (a trainer's `sentiment` on a past reply), read instead."""
    case = make_case(reply, comment, channel, lang, brand, load_lexicon(brand), use_heads, kind)
    return CheckResult({rule.id: rule.check(case) for rule in RULES.values()})
