"""What the comment is: language, sentiment, topic, complainer type, severity, personal data and
injection attempts. Offline rules first; an LLM may refine them when configured (the offline
result stays the fallback).

The comment is untrusted data: triage only reads it, and what it finds (injections, personal
data) travels with the draft so the writer sees it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from importlib import resources

from . import shipped_yaml
from .knowledge import Brand
from .languages import default_language, supported_codes
from .reading import read_comment
from .rules.case import COMPLAINT, NEUTRAL, PRAISE, QUESTION
from .rules.contact import personal_data_in
from .rules.lexicon import load_lexicon
from .rules.patterns import find_any
from .rules.text import analyse

GENERAL = "general_conduct"  # the brand topic of the general rules: what a complaint with no named topic gets
SENTIMENT_OF = {COMPLAINT: "negative", PRAISE: "positive", QUESTION: "question", NEUTRAL: "neutral"}
_PERCENT = re.compile(r"(\d{2,3})\s*(?:%|процент\w*|percent)", re.I)
_SHOUTING = re.compile(r"[A-ZА-ЯЁ]{4,}")
_MANY_ORDERS = re.compile(r"(?<![№#\d])\b(\d{1,4})\s*(?:заказ\w*|покуп\w*|orders?|purchases?)", re.I)


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Triage:
    lang: str
    sentiment: str  # negative | positive | question | neutral
    topic: str
    complainer: str  # meek | aggressive | high_roller | opportunist | chronic | troll | none
    severity: str  # routine | serious | crisis
    personal_data: tuple[Finding, ...] = ()
    injection: tuple[Finding, ...] = ()
    signals: dict[str, list[str]] = field(default_factory=dict)
    source: str = "rules"
    comment_lang: str | None = None  # the comment's own language when we cannot answer in it (e.g. "fa")
    complaint_risk: bool = False  # not read as a complaint, yet something says it may be one
    doubtful_complaint: bool = False  # read as a complaint by the head alone, unsure, in words of praise
    reading: dict = field(default_factory=dict)  # how the kind was decided: by whom, the head's scores

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def is_complaint(self) -> bool:
        return self.sentiment == "negative"


@functools.cache
def _signals() -> dict:
    text = resources.files("assistant").joinpath("triage_data", "signals.yaml").read_text(encoding="utf-8")
    return shipped_yaml.parse(text)


def _hits(patterns, text) -> list[str]:
    return [m.quote(text) for m in find_any(tuple(patterns), text, negatable=False, gap=2)]


def triage(comment: str, brand: Brand | None = None, vector=None) -> Triage:
    """`vector` is the comment's query vector when the caller has it (retrieval searches with it)."""
    text = analyse(comment)
    signals = _signals()
    lexicon = load_lexicon(brand)
    reading = read_comment(comment, lexicon, vector)
    situation = reading.kind
    found: dict[str, list[str]] = {}

    topic_scores = {}
    for topic, patterns in signals["topics"].items():
        hits = _hits(patterns, text)
        if hits:
            topic_scores[topic] = len(hits)
            found[f"topic:{topic}"] = hits
    safety = _hits(signals["safety"], text)
    if safety:
        found["safety"] = safety
        if topic_scores.keys() <= {"praise", "product_question"}:
            topic_scores["defective_item"] = 1  # a product that hurts someone is a defective product
    crisis = _hits(signals["crisis"], text) + safety
    if crisis:
        found["crisis"] = crisis
        situation = COMPLAINT  # a safety issue or a threat is never "neutral"
    if situation == PRAISE and "praise" in topic_scores:
        topic = "praise"
    else:
        topic_scores.pop("praise", None)
        learned = _brand_topic(reading.topic, brand) if situation != PRAISE else None
        topic = max(topic_scores, key=topic_scores.get) if topic_scores else learned or _unnamed_topic(situation, brand)
        if situation == QUESTION and topic in ("wrong_item_or_size", "defective_item"):
            topic = "product_question"  # "есть ли размер S?" asks about a product, it reports no problem

    complainer = "none"
    if situation == COMPLAINT or _hits(signals["complainers"]["troll"], text):
        ranked = []
        for kind in ("troll", "high_roller", "opportunist", "aggressive", "chronic", "meek"):
            hits = _hits(signals["complainers"][kind], text)
            if kind == "aggressive" and (len(_SHOUTING.findall(comment)) >= 2 or "!!!" in comment):
                hits.append("shouting")
            if kind == "high_roller" and any(int(m.group(1)) >= 5 for m in _MANY_ORDERS.finditer(comment)):
                hits.append("many orders")
            if kind == "opportunist" and _greedy_percent(comment, brand):
                hits.append("asks for a bigger discount than allowed")
            if hits:
                found[f"complainer:{kind}"] = hits
                ranked.append(kind)
        troll_only = ranked[:1] == ["troll"] and situation != COMPLAINT
        complainer = "troll" if troll_only else next((k for k in ranked if k != "troll"), "troll" if ranked else "none")
        if complainer == "none" and situation == COMPLAINT:
            complainer = "meek" if not _SHOUTING.search(comment) else "aggressive"

    severity = (
        "crisis"
        if crisis
        else (
            "serious"
            if situation == COMPLAINT
            and (
                complainer in ("aggressive", "high_roller", "chronic")
                or topic in ("defective_item", "payment_problems", "personal_data", "courier_behaviour")
            )
            else "routine"
        )
    )

    personal = tuple(Finding(label, m.group(), m.start(), m.end()) for label, m in personal_data_in(comment))
    injection = [
        Finding("instruction", m.quote(text), m.start, m.end)
        for m in find_any(tuple(signals["injection"]), text, negatable=False)
    ]
    injection += [
        Finding("over-limit demand", m.group(), m.start(), m.end())
        for m in _PERCENT.finditer(comment)
        if _over_limit(int(m.group(1)), brand)
    ]
    # close enough to a complaint to hold back thanks for kind words
    risk = situation != COMPLAINT and reading.may_be_complaint
    doubtful = (
        situation == COMPLAINT
        and reading.decided_by == "head"
        and reading.lexicon_kind == PRAISE
        and reading.kind_scores.get(COMPLAINT, 0.0) < 0.5
        and "crisis" not in found
    )
    answer_lang, comment_lang = text.lang, None
    if not reading.supported:
        answer_lang, comment_lang = default_language(), reading.lang
    return Triage(
        lang=answer_lang,
        sentiment=SENTIMENT_OF[situation],
        topic=topic,
        complainer=complainer,
        severity=severity,
        personal_data=personal,
        injection=tuple(injection),
        signals=found,
        comment_lang=comment_lang,
        complaint_risk=risk,
        doubtful_complaint=doubtful,
        reading={
            "kind": reading.kind,
            "decided_by": reading.decided_by,
            "lexicon_kind": reading.lexicon_kind,
            "head_kind": reading.head_kind,
            "kind_scores": {k: round(v, 3) for k, v in reading.kind_scores.items()},
            "head_topic": reading.topic,
        },
    )


def _unnamed_topic(situation: str, brand: Brand | None) -> str:
    """No topic word and no sure head: a complaint gets the general phrases (regret, "we will look
    into it") rather than another topic's remedy for a problem the customer never mentioned."""
    if situation == PRAISE:
        return "praise"
    if situation == COMPLAINT and (brand is None or GENERAL in brand.topics):
        return GENERAL
    return "product_question"


@functools.cache
def _topic_map() -> dict:
    text = resources.files("assistant").joinpath("triage_data", "topics.yaml").read_text(encoding="utf-8")
    return shipped_yaml.parse(text)


def _brand_topic(corpus_topic: str | None, brand: Brand | None) -> str | None:
    """The brand's topic for the head's topic, when the lexicon found no topic words: "пришло не
    то" names no word of the brand's signals, and the head still knows it is a wrong item."""
    mapped = _topic_map().get(corpus_topic) if corpus_topic else None
    if mapped and (brand is None or mapped in brand.topics):
        return mapped
    return None


def _max_percent(brand: Brand | None) -> float:
    if brand:
        for c in brand.commitments:
            if c.kind == "promo_code" and c.max_percent:
                return c.max_percent
    return 15


def _over_limit(percent: int, brand: Brand | None) -> bool:
    return percent > _max_percent(brand)


def _greedy_percent(comment: str, brand: Brand | None) -> bool:
    return any(_over_limit(int(m.group(1)), brand) for m in _PERCENT.finditer(comment))


TRIAGE_CHOICES = {
    "lang": supported_codes(),
    "sentiment": ("negative", "positive", "question", "neutral"),
    "complainer": ("meek", "aggressive", "high_roller", "opportunist", "chronic", "troll", "none"),
    "severity": ("routine", "serious", "crisis"),
}


def refine_with_llm(offline: Triage, comment: str, settings, brand: Brand | None) -> tuple[Triage, str | None]:
    """Ask the configured LLM for the same fields; keep the offline result where its answer is
    missing or malformed. Personal data and injection findings always come from the rules: the
    model reads the untrusted comment and could be talked out of reporting them."""
    import json

    from .llm import LLMError, complete
    from .prompting import PromptError, load_template, quote_data

    topics = list(brand.topics) if brand else []
    try:
        template = load_template(settings.prompts_dir, "triage")
        prompt = template.render(comment=quote_data("comment", comment), topics=", ".join(topics) or "any")
        answer = complete(settings, "Answer with one JSON object only.", prompt)
        found = re.search(r"\{.*\}", answer.text, re.S)
        data = json.loads(found.group()) if found else None
    except (LLMError, PromptError, json.JSONDecodeError) as error:
        return offline, f"LLM triage failed ({error}); using the offline triage"
    if not isinstance(data, dict):
        return offline, "LLM triage did not answer with JSON; using the offline triage"
    fields = {}
    for name, choices in TRIAGE_CHOICES.items():
        value = str(data.get(name, "")).strip().lower()
        fields[name] = value if value in choices else getattr(offline, name)
    topic = str(data.get("topic", "")).strip()
    fields["topic"] = topic if topic in topics else offline.topic
    if offline.severity == "crisis":
        fields["severity"] = "crisis"  # a safety signal found by the rules is never downgraded
    refined = Triage(
        lang=fields["lang"],
        sentiment=fields["sentiment"],
        topic=fields["topic"],
        complainer=fields["complainer"],
        severity=fields["severity"],
        personal_data=offline.personal_data,
        injection=offline.injection,
        signals=offline.signals,
        source="llm",
    )
    return refined, None
