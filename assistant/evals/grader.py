"""A second opinion on every draft, from readers that do not share the checker's blind spots.

The checker drafts' judge is also the drafter's repair guide, so what it cannot see it neither
repairs nor reports. Two graders read the delivered draft on their own:
- `heads`: the learned heads read sentence by sentence, without the lexicon and without the whole-
  reply score that lets one sarcastic sentence hide among polite ones (the checker's blind spot),
  at each head's `sentence` threshold, chosen on the real corpus's dev split;
- `llm`: the LLM judge (`assistant/judge.py`), when an LLM is configured and asked for.

Only rules the checker applied (pass or fail) are graded. Where a grader cannot run, the report
says so and counts nothing for it: agreement that was not measured is never reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..rules import FAIL, NA, PASS, CheckResult
from ..rules.verdicts import quote

BLAME = "no_blame"  # the head finds blame, so "present" is a failure; the other heads find what must be there


@dataclass(frozen=True)
class Disagreement:
    rule: str
    checker: str  # pass or fail
    grader: str
    by: str  # heads or llm:<model>
    why: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "checker": self.checker, "grader": self.grader, "by": self.by, "why": self.why}


@dataclass
class Grade:
    """What the graders said of one draft."""

    by: list[str] = field(default_factory=list)  # the graders that read it
    verdicts: dict[str, dict[str, str]] = field(default_factory=dict)  # grader -> rule -> pass/fail
    disagreements: list[Disagreement] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a grader that failed on this draft, and why

    def to_dict(self) -> dict:
        return {
            "by": self.by,
            "verdicts": self.verdicts,
            "disagreements": [d.to_dict() for d in self.disagreements],
            "problems": self.problems,
        }


def heads_available() -> bool:
    from ..heads import shipped_heads

    return shipped_heads() is not None


def grade_with_heads(text: str, check: CheckResult, grade: Grade) -> None:
    from ..heads import sentence_vectors, shipped_heads, split_sentences

    heads = shipped_heads()
    sentences = split_sentences(text)
    if heads is None or not sentences:
        return
    texts = [s.text for s in sentences]
    vectors = sentence_vectors(sentences) if any(h.needs_vectors for h in heads.reply.values()) else None
    said: dict[str, str] = {}
    for rule, head in heads.reply.items():
        status = check.verdicts[rule].status if rule in check.verdicts else NA
        if status == NA:
            continue
        scores = head.probabilities(vectors, texts)[:, 0]
        best = int(scores.argmax())
        present = float(scores[best]) >= head.threshold("sentence", head.threshold())
        said[rule] = (FAIL if present else PASS) if rule == BLAME else (PASS if present else FAIL)
        if said[rule] != status:
            if rule == BLAME and present:
                why = f"this sentence reads as blame ({scores[best]:.2f}): {quote(texts[best])}"
            elif rule == BLAME:
                why = f"no sentence reads as blame (at most {scores[best]:.2f})"
            elif present:
                why = f"found in {quote(texts[best])} ({scores[best]:.2f})"
            else:
                why = f"no sentence carries it (at most {scores[best]:.2f})"
            grade.disagreements.append(Disagreement(rule, status, said[rule], "heads", why))
    grade.by.append("heads")
    grade.verdicts["heads"] = said


def grade_with_llm(text: str, check: CheckResult, comment: str, channel, brand, settings, grade: Grade) -> None:
    from ..judge import judge_reply
    from ..llm import LLMError

    name = f"llm:{settings.llm_model}"
    try:
        judged = judge_reply(settings, check, text, comment, channel, brand)
    except LLMError as error:
        grade.problems.append(f"the LLM judge could not grade this draft: {error}")
        return
    said = {rule: v for rule, v in judged.verdicts.items() if check.verdicts[rule].status != NA and v != NA}
    for rule, verdict in said.items():
        status = check.verdicts[rule].status
        if verdict != status:
            grade.disagreements.append(Disagreement(rule, status, verdict, name, judged.reasons.get(rule, "")))
    grade.by.append(name)
    grade.verdicts[name] = said


def grade_draft(
    text: str, check: CheckResult, graders: tuple[str, ...], comment: str, channel, brand, settings
) -> Grade:
    grade = Grade()
    if "heads" in graders:
        grade_with_heads(text, check, grade)
    if "llm" in graders:
        grade_with_llm(text, check, comment, channel, brand, settings, grade)
    return grade
