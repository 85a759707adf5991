"""Measure the checker against replies labelled by people: precision, recall and F1 per rule.

Reads our own format (`labels: {rule: "pass"|"fail"|"n/a"}`) and the shared real-replies
format (`labels: {rule: true|false}`, with `ambiguous` rules left out of the score).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import HEAD_RULES, CommentItem, ReplyItem
from .knowledge import Brand
from .rules import FAIL, NA, PASS, RULE_IDS, CheckResult, check_reply

CLASSES = (PASS, FAIL, NA)
COMPLAINT = "complaint"


class LabelledFileError(ValueError):
    pass


@dataclass(frozen=True)
class LabelledReply:
    id: str
    reply: str
    labels: dict[str, str]
    comment: str | None = None
    channel: str | None = None
    lang: str | None = None
    line: int = 0
    binary: bool = False  # labels were true/false ("the reply has it"): an n/a verdict counts as fail


@dataclass
class RuleScore:
    rule: str
    confusion: Counter = field(default_factory=Counter)  # (label, predicted) -> count

    def precision(self, cls: str) -> float:
        predicted = sum(n for (_, p), n in self.confusion.items() if p == cls)
        return self.confusion[(cls, cls)] / predicted if predicted else 1.0

    def recall(self, cls: str) -> float:
        actual = sum(n for (label, _), n in self.confusion.items() if label == cls)
        return self.confusion[(cls, cls)] / actual if actual else 1.0

    def f1(self, cls: str) -> float:
        p, r = self.precision(cls), self.recall(cls)
        return 2 * p * r / (p + r) if p + r else 0.0

    def support(self, cls: str) -> int:
        return sum(n for (label, _), n in self.confusion.items() if label == cls)

    @property
    def macro_f1(self) -> float:
        """The mean F1 of the classes present in the labels: pass and fail, and n/a where labelled."""
        present = [c for c in CLASSES if self.support(c)]
        return sum(self.f1(c) for c in present) / len(present) if present else 1.0

    @property
    def total(self) -> int:
        return sum(self.confusion.values())


@dataclass
class Calibration:
    scores: dict[str, RuleScore]
    misses: list[tuple[LabelledReply, str, str, CheckResult]]  # item, rule, label, predicted
    items: int


def load_labelled(path: Path) -> tuple[list[LabelledReply], list[str]]:
    """The items, and one message per malformed line (file:line: what is wrong)."""
    items, problems = [], []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            raw_labels = data["labels"]
            labels = {rule: _label(value) for rule, value in raw_labels.items() if rule in RULE_IDS}
            for rule in data.get("ambiguous") or ():
                labels.pop(rule, None)
            items.append(
                LabelledReply(
                    id=str(data.get("id", number)),
                    reply=data["reply"],
                    labels=labels,
                    comment=data.get("comment"),
                    channel=data.get("channel"),
                    lang=data.get("lang"),
                    line=number,
                    binary=all(isinstance(v, bool) for v in raw_labels.values()),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            problems.append(f"{path}:{number}: cannot read this line ({error}); it was skipped")
    return items, problems


def _label(value: object) -> str:
    if value is True:
        return PASS
    if value is False:
        return FAIL
    if value in CLASSES:
        return str(value)
    raise ValueError(f"label {value!r} is not pass, fail, n/a, true or false")


def calibrate(items: list[LabelledReply], brand: Brand | None, use_heads: bool = True) -> Calibration:
    scores = {rule: RuleScore(rule) for rule in RULE_IDS}
    misses = []
    for item in items:
        # `lang` in a labelled file names the set the item belongs to; the customer's language is the comment's
        result = check_reply(item.reply, item.comment, item.channel, None, brand, use_heads)
        for rule, label in item.labels.items():
            predicted = result.verdicts[rule].status
            if item.binary and predicted == NA:
                predicted = FAIL
            scores[rule].confusion[(label, predicted)] += 1
            if predicted != label:
                misses.append((item, rule, label, result))
    return Calibration({r: s for r, s in scores.items() if s.total}, misses, len(items))


def report_lines(calibration: Calibration, show_misses: bool = True) -> list[str]:
    lines = [
        f"{calibration.items} labelled replies",
        "",
        f"{'rule':25} {'F1':>5}  {'pass P/R/F1':>17}  {'fail P/R/F1':>17}  {'n/a P/R':>11}  support p/f/na",
    ]
    for rule, s in calibration.scores.items():
        lines.append(
            f"{rule:25} {s.macro_f1:5.3f}  "
            f"{s.precision(PASS):.2f}/{s.recall(PASS):.2f}/{s.f1(PASS):.2f}  "
            f"{s.precision(FAIL):.2f}/{s.recall(FAIL):.2f}/{s.f1(FAIL):.2f}  "
            f"{s.precision(NA):.2f}/{s.recall(NA):.2f}  "
            f"{s.support(PASS)}/{s.support(FAIL)}/{s.support(NA)}"
        )
    lines += ["", "confusion (label -> predicted: count):"]
    for rule, s in calibration.scores.items():
        cells = ", ".join(f"{a}->{b}: {n}" for (a, b), n in sorted(s.confusion.items()) if a != b)
        lines.append(f"  {rule:25} {cells or 'none'}")
    if show_misses and calibration.misses:
        lines += ["", f"misclassified ({len(calibration.misses)}):"]
        for item, rule, label, result in calibration.misses:
            verdict = result.verdicts[rule]
            lines.append(f"  {item.id} {rule}: labelled {label}, checker {verdict.status} — {verdict.message}")
            lines.append(f"      reply: {' '.join(item.reply.split())[:160]}")
    return lines


def corpus_replies(replies: list[ReplyItem]) -> list[LabelledReply]:
    """Real corpus replies as labelled replies: only the rules the corpus labels are scored."""
    return [
        LabelledReply(
            id=r.id,
            reply=r.reply,
            labels={rule: r.labels[rule] for rule in HEAD_RULES},
            comment=r.comment,
            lang=r.lang,
            line=r.line,
        )
        for r in replies
    ]


@dataclass
class KindScore:
    """How well comments are read: complaint or not, per language, and the kind overall."""

    confusion: Counter = field(default_factory=Counter)  # (lang, label, predicted) -> count
    misses: list[tuple[CommentItem, str, str]] = field(default_factory=list)  # item, predicted, decided by

    def complaint(self, lang: str | None = None) -> tuple[float, float, float, int]:
        """Precision, recall, F1 of "is a complaint", and the number of comments."""
        rows = [(label, p, n) for (lg, label, p), n in self.confusion.items() if lang is None or lg == lang]
        tp = sum(n for label, p, n in rows if label == COMPLAINT and p == COMPLAINT)
        fp = sum(n for label, p, n in rows if label != COMPLAINT and p == COMPLAINT)
        fn = sum(n for label, p, n in rows if label == COMPLAINT and p != COMPLAINT)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1, sum(n for _, _, n in rows)

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        return sum(n for (_, label, p), n in self.confusion.items() if label == p) / total if total else 1.0


def calibrate_comments(items: list[CommentItem], use_heads: bool = True) -> KindScore:
    from .reading import read_comment
    from .rules.lexicon import load_lexicon

    lexicon = load_lexicon(None)
    score = KindScore()
    for item in items:
        reading = read_comment(item.text, lexicon, use_heads=use_heads)
        score.confusion[(item.lang, item.kind, reading.kind)] += 1
        if reading.kind != item.kind:
            score.misses.append((item, reading.kind, reading.decided_by))
    return score


def comment_lines(score: KindScore, show_misses: bool = False) -> list[str]:
    lines = [f"{'comments':25} {'complaint P':>11} {'R':>5} {'F1':>5}  n"]
    for lang in ("ru", "en", None):
        p, r, f, n = score.complaint(lang)
        lines.append(f"  {lang or 'all':23} {p:11.3f} {r:5.3f} {f:5.3f}  {n}")
    lines.append(f"  kind accuracy (complaint / praise / question / neutral): {score.accuracy:.3f}")
    if show_misses and score.misses:
        lines.append(f"  misread ({len(score.misses)}):")
        for item, predicted, decided_by in score.misses:
            lines.append(
                f"    {item.id} labelled {item.kind}, read as {predicted} ({decided_by}): {' '.join(item.text.split())[:120]}"
            )
    return lines
