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
# No channel takes a reply near this long (the longest, e-mail, allows a few thousand characters);
# beyond it only the start is read, so that a pasted document cannot hold a checking thread for long.
MAX_REPLY_CHARS = 20_000
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
    if len(reply) > MAX_REPLY_CHARS:
        result = check_reply(reply[:MAX_REPLY_CHARS], comment, channel, lang, brand, use_heads, kind)
        result.verdicts["channel_length"] = Verdict(
            "channel_length",
            FAIL,
            f"the reply is {len(reply):,} characters long: only its first {MAX_REPLY_CHARS:,} were checked, "
            "and no channel takes a reply this long",
            (Evidence(MAX_REPLY_CHARS, len(reply), reply[MAX_REPLY_CHARS : MAX_REPLY_CHARS + 200]),),
        )
        return result
    case = make_case(reply, comment, channel, lang, brand, load_lexicon(brand), use_heads, kind)
    return CheckResult({rule.id: rule.check(case) for rule in RULES.values()})
