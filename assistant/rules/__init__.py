"""The guideline checker: one small function per rule, each returning a verdict with evidence.

The app, the drafting pipeline, the evals and `assistant check` all call `check_reply`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..knowledge import Brand
from .case import Case, make_case
from .commitments import policy_grounded
from .contact import invite_dm, no_public_personal_data
from .form import channel_length, language_match, not_generic
from .lexicon import load_lexicon
from .solution import concrete_solution
from .tone import empathy, no_blame
from .verdicts import FAIL, NA, PASS, CheckResult, Evidence, Verdict

RULES: tuple[Callable[[Case], Verdict], ...] = (
    no_blame,
    concrete_solution,
    invite_dm,
    empathy,
    policy_grounded,
    language_match,
    channel_length,
    no_public_personal_data,
    not_generic,
)
RULE_IDS = tuple(rule.__name__ for rule in RULES)
CLASSES_OF_VERDICT = (PASS, FAIL, NA)

__all__ = [
    "CLASSES_OF_VERDICT",
    "FAIL",
    "NA",
    "PASS",
    "RULES",
    "RULE_IDS",
    "CheckResult",
    "Evidence",
    "Verdict",
    "check_reply",
]


def check_reply(
    reply: str,
    comment: str | None = None,
    channel: str | None = None,
    lang: str | None = None,
    brand: Brand | None = None,
) -> CheckResult:
    """Check a reply against every rule. Without a brand, commitments cannot be allowed, so pass one."""
    case = make_case(reply, comment, channel, lang, brand, load_lexicon(brand))
    return CheckResult({rule.__name__: rule(case) for rule in RULES})
