"""One reading of the customer's comment: its language, what kind of comment it is and what it is
about. Triage, the checker's "does this rule apply" and the composer's choice of situation all take
this reading, so they cannot disagree about whether the customer complained.

The kind comes from a learned head over the comment's query vector (the same vector retrieval
searches with) together with the lexicon; how the two combine was chosen on the dev split of the
real corpus and is stored with the head (`combine` in its metadata). The reading says which of
them decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .heads import Heads, KindHead, comment_features, shipped_heads
from .languages import detect, is_supported
from .rules.case import COMPLAINT, plainly_complains, situation_of
from .rules.lexicon import Lexicon
from .rules.text import analyse

HEAD, LEXICON, BOTH = "head", "lexicon", "head and lexicon"
RISK = "complaint_risk"  # the kind head's threshold name for `may_be_complaint`
RISK_SHARE = 0.5  # without a trained value: half-way to the complaint threshold


@dataclass(frozen=True)
class CommentReading:
    lang: str | None  # the comment's language as detected, supported or not
    kind: str  # complaint | praise | question | neutral
    decided_by: str  # head | lexicon | head and lexicon
    lexicon_kind: str
    head_kind: str | None = None
    kind_scores: dict[str, float] = field(default_factory=dict)  # the head's probabilities
    topic: str | None = None  # the head's topic (corpus taxonomy), None without heads or when unsure
    topic_scores: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)  # the kind head's, for complaint_share

    @property
    def supported(self) -> bool:
        return self.lang is None or is_supported(self.lang)

    @property
    def is_complaint(self) -> bool:
        return self.kind == COMPLAINT

    @property
    def may_be_complaint(self) -> bool:
        """Not read as a complaint, yet close enough that thanks for kind words would be a gamble: the
        lexicon or the head alone says complaint, or P(complaint) reaches the share of its threshold
        that training chose on dev per language (`complaint_risk`: no dev complaint below it is thanked)."""
        if self.kind == COMPLAINT:
            return False
        risk = self.thresholds.get(f"{RISK}:{self.lang}", self.thresholds.get(RISK, RISK_SHARE))
        return COMPLAINT in (self.lexicon_kind, self.head_kind) or self.complaint_share >= risk

    @property
    def complaint_share(self) -> float:
        """P(complaint) as a share of the threshold that makes a complaint (1 and more: a complaint)."""
        if not self.kind_scores:
            return 0.0
        return complaint_share(self.kind_scores.get(COMPLAINT, 0.0), self.thresholds, self.lang)


def read_comment(
    text: str,
    lexicon: Lexicon,
    vector: np.ndarray | None = None,
    use_heads: bool = True,
    kind_only: bool = False,
) -> CommentReading:
    """`vector` is the comment's e5 query vector when the caller has it already (retrieval does).
    `kind_only`: the caller (the checker) needs the kind alone; when the n-grams settle that the
    comment is a complaint whatever the encoder would add, the encoder (the slow part) is not run,
    and the reading carries no scores and no topic."""
    lexicon_kind = situation_of(analyse(text), analyse(""), lexicon)
    heads = shipped_heads() if use_heads else None
    lang = detect(text)
    if heads is None or not text.strip():
        return CommentReading(lang, lexicon_kind, LEXICON, lexicon_kind)
    if vector is None and kind_only:
        settled = _complaint_without_encoder(heads.comment_kind, text, lang, lexicon_kind)
        if settled:
            return CommentReading(lang, COMPLAINT, settled, lexicon_kind, COMPLAINT)
    features = None
    if heads.comment_kind.needs_vectors or heads.comment_topic.needs_vectors:
        features = comment_features(text, vector)
    return _combine(heads, text, features, lang, lexicon_kind)


def _complaint_without_encoder(head: KindHead, text: str, lang: str | None, lexicon_kind: str) -> str | None:
    """Who decided, when the comment is a complaint whatever the encoder's part of P(complaint) is:
    without it the probability is a lower bound, and every step from P(complaint) to the kind only
    ever turns a higher probability into a complaint. None when the encoder could change the kind."""
    low = float(head.probabilities(None, [text], [lang])[0, head.classes.index(COMPLAINT)])
    threshold = complaint_threshold(head.thresholds, lang)
    mode = head.meta.get("combine", "head")
    if low < threshold or mode == "lexicon":
        return None
    if mode == "lexicon_veto" and lexicon_kind in ("praise", "question") and low < float(head.meta.get("sure", SURE)):
        return None
    return BOTH if lexicon_kind == COMPLAINT else HEAD


def complaint_threshold(thresholds: dict[str, float], lang: str | None) -> float:
    """P(complaint) from which a comment in this language is a complaint (chosen on dev)."""
    return thresholds.get(f"{COMPLAINT}:{lang}", thresholds.get(COMPLAINT, 0.5))


def complaint_share(p_complaint: float, thresholds: dict[str, float], lang: str | None) -> float:
    threshold = complaint_threshold(thresholds, lang)
    return p_complaint / threshold if threshold else 0.0


def kind_from_scores(head: KindHead, probs: np.ndarray, lang: str | None) -> str:
    """A complaint when P(complaint) reaches the threshold chosen on dev for the comment's language
    (set for recall: a missed complaint is answered with thanks), else the likeliest other kind."""
    scores = dict(zip(head.classes, (float(p) for p in probs), strict=True))
    if scores.get(COMPLAINT, 0.0) >= complaint_threshold(head.thresholds, lang):
        return COMPLAINT
    return max((k for k in scores if k != COMPLAINT), key=scores.get)


SURE = 0.5  # P(complaint) above which the head's complaint stands against the lexicon


def combine_kinds(
    mode: str, by_head: str, by_lexicon: str, p_complaint: float = 1.0, sure: float = SURE, plain: bool = False
) -> tuple[str, str]:
    """(kind, what decided it) under a combination mode: "head", "lexicon", "complaint_or" (a
    complaint if either says so, otherwise the head), or "lexicon_veto" (a complaint the head is
    unsure of gives way to the lexicon's clear praise or question: "Is the jumper itchy?"). `plain`:
    the comment plainly complains (`plainly_complains`), which no mode overrules."""
    if by_head == by_lexicon:
        return by_head, BOTH
    if plain:
        return COMPLAINT, LEXICON
    if mode == "lexicon":
        return by_lexicon, LEXICON
    if mode == "complaint_or" and by_lexicon == COMPLAINT:
        return COMPLAINT, LEXICON
    if mode == "lexicon_veto":
        if by_lexicon == COMPLAINT:
            return COMPLAINT, LEXICON
        if by_head == COMPLAINT and p_complaint < sure and by_lexicon in ("praise", "question"):
            return by_lexicon, LEXICON
    return by_head, HEAD


def _combine(heads: Heads, text: str, vector, lang: str | None, lexicon_kind: str) -> CommentReading:
    probs = heads.comment_kind.probabilities(vector, [text], [lang])[0]
    scores = {cls: float(p) for cls, p in zip(heads.comment_kind.classes, probs, strict=True)}
    by_head = kind_from_scores(heads.comment_kind, probs, lang)
    mode = heads.comment_kind.meta.get("combine", "head")
    sure = float(heads.comment_kind.meta.get("sure", SURE))
    plain = plainly_complains(text)
    kind, decided_by = combine_kinds(mode, by_head, lexicon_kind, scores.get(COMPLAINT, 0.0), sure, plain)
    topic_head = heads.comment_topic
    topic_probs = topic_head.probabilities(vector, [text])[0]
    topic_scores = {cls: float(p) for cls, p in zip(topic_head.classes, topic_probs, strict=True)}
    best = max(topic_scores, key=topic_scores.get)
    # below the probability at which dev showed the head right often enough, no topic is named
    topic = best if topic_scores[best] >= topic_head.threshold("sure", 0.0) else None
    return CommentReading(
        lang, kind, decided_by, lexicon_kind, by_head, scores, topic, topic_scores, heads.comment_kind.thresholds
    )
