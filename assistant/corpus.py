"""The real-text corpus (`evals/real/`): public customer comments and brand replies, labelled,
with fixed train / dev / test splits.

The split of an item is a hash of its text, or of its `group` when it has one: a reply and the
comment it answers share a group, the normalised reply with names and numbers taken out, so a
template a shop sends to everyone lands in one split and cannot teach the heads the test. The
split never changes when the corpus grows, and nobody can move an awkward example out of the test
split. Heads are fitted on train, thresholds chosen on dev; test
is only ever reported.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SPLITS = ("train", "dev", "test")
KINDS = ("complaint", "praise", "question", "neutral")
FLAGS = ("abuse", "mixed", "sarcasm", "threat")
TOPICS = (
    "delivery",
    "staff_behaviour",
    "defect_quality",
    "wrong_item_or_size",
    "returns_refunds",
    "payment_billing",
    "loyalty_promo",
    "account_data",
    "customer_service",
    "product_info",
    "other",
)
HEAD_RULES = ("no_blame", "empathy", "concrete_solution", "invite_dm")
LABELS = ("pass", "fail", "n/a")
DEFAULT_DIR = Path("evals/real")


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def split_of(text: str) -> str:
    """train 70 %, dev 15 %, test 15 %, by the first bytes of a SHA-256 of the normalised text."""
    bucket = int.from_bytes(hashlib.sha256(normalise(text).encode("utf-8")).digest()[:4], "big") % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def template_key(reply: str) -> str:
    """A reply with the customer's name, numbers and brand names taken out: the same template twice
    has the same key."""
    words = [w for w in re.findall(r"[^\W\d_]+", reply) if not w[:1].isupper() or w.isupper()]
    return normalise(" ".join(words))[:300]


def item_id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(normalise(text).encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class CommentItem:
    id: str
    text: str
    lang: str
    kind: str
    topic: str
    flags: frozenset[str]
    source: str
    source_kind: str
    split: str
    origin: str = "real"  # "real" (public text) or "written" (by the team; train only)
    rating: int | None = None
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class ReplyItem:
    id: str
    reply: str
    comment: str | None
    lang: str
    labels: dict[str, str]
    evidence: dict[str, tuple[str, ...]]
    source: str
    source_kind: str
    split: str
    origin: str = "real"
    brand: str = ""
    note: str = ""
    line: int = 0

    def has(self, rule: str) -> bool:
        """Whether the reply carries what the rule looks for (blame for no_blame), whatever applies."""
        if self.evidence.get(rule):
            return True
        return self.labels.get(rule) == ("fail" if rule == "no_blame" else "pass")


@dataclass
class Corpus:
    comments: list[CommentItem] = field(default_factory=list)
    replies: list[ReplyItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def comments_in(self, *splits: str, origin: str | None = None) -> list[CommentItem]:
        return [c for c in self.comments if c.split in splits and (origin is None or c.origin == origin)]

    def replies_in(self, *splits: str, origin: str | None = None) -> list[ReplyItem]:
        return [r for r in self.replies if r.split in splits and (origin is None or r.origin == origin)]


def load_corpus(folder: Path = DEFAULT_DIR) -> Corpus:
    """Every `*comments.jsonl` and `*replies.jsonl` in the folder; a bad line is reported with its
    file and line number and skipped, the rest still loads."""
    folder = Path(folder)
    corpus = Corpus()
    if not folder.is_dir():
        corpus.problems.append(f"{folder}: no such folder; the real corpus lives in evals/real/")
        return corpus
    seen: set[str] = set()
    for path in sorted(folder.glob("*comments.jsonl")):
        for number, data in _lines(path, corpus.problems):
            item = _comment(data, path, number, corpus.problems)
            if item and _new(item.id, seen, path, number, corpus.problems):
                corpus.comments.append(item)
    for path in sorted(folder.glob("*replies.jsonl")):
        for number, data in _lines(path, corpus.problems):
            item = _reply(data, path, number, corpus.problems)
            if item and _new(item.id, seen, path, number, corpus.problems):
                corpus.replies.append(item)
    return corpus


def _lines(path: Path, problems: list[str]) -> Iterable[tuple[int, dict]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not JSON ({error.msg}); the line was skipped")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path}:{number}: expected a JSON object; the line was skipped")
            continue
        yield number, data


def _new(key: str, seen: set[str], path: Path, number: int, problems: list[str]) -> bool:
    if key in seen:
        problems.append(f"{path}:{number}: the same text is already in the corpus ({key}); the line was skipped")
        return False
    seen.add(key)
    return True


def _comment(data: dict, path: Path, number: int, problems: list[str]) -> CommentItem | None:
    where = f"{path}:{number}"
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: `text` is missing or empty; the line was skipped")
        return None
    kind, topic = data.get("kind"), data.get("topic") or "other"
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}; the line was skipped")
        return None
    if topic not in TOPICS:
        problems.append(f"{where}: topic {topic!r} is not one of {', '.join(TOPICS)}; the line was skipped")
        return None
    origin = data.get("origin", "real")
    split = split_of(data.get("group") or text) if origin == "real" else "train"  # ours may teach, never judge
    return CommentItem(
        id=data.get("id") or item_id("c", text),
        text=text,
        lang=str(data.get("lang") or ""),
        kind=kind,
        topic=topic,
        flags=frozenset(f for f in FLAGS if data.get(f)),
        source=str(data.get("source") or ""),
        source_kind=str(data.get("source_kind") or ""),
        split=split,
        origin=origin,
        rating=data.get("rating") if isinstance(data.get("rating"), int) else None,
        note=str(data.get("note") or ""),
        line=number,
    )


def _reply(data: dict, path: Path, number: int, problems: list[str]) -> ReplyItem | None:
    where = f"{path}:{number}"
    reply, comment = data.get("reply"), data.get("comment")
    if not isinstance(reply, str) or not reply.strip():
        problems.append(f"{where}: `reply` is missing or empty; the line was skipped")
        return None
    if comment is not None and not isinstance(comment, str):
        problems.append(f"{where}: `comment` must be text or null; the line was skipped")
        return None
    labels = data.get("labels") or {}
    bad = [rule for rule in HEAD_RULES if labels.get(rule) not in LABELS]
    if bad:
        problems.append(f"{where}: labels {', '.join(bad)} must be pass, fail or n/a; the line was skipped")
        return None
    evidence = {}
    for rule, spans in (data.get("evidence") or {}).items():
        spans = [spans] if isinstance(spans, str) else list(spans or ())
        kept = tuple(s for s in spans if isinstance(s, str) and s and s in reply)
        if len(kept) < len(spans):
            problems.append(f"{where}: evidence for {rule} is not a part of the reply; that span was ignored")
        evidence[rule] = kept
    origin = data.get("origin", "real")
    split = split_of(data.get("group") or reply) if origin == "real" else "train"
    return ReplyItem(
        id=data.get("id") or item_id("r", reply + "\x00" + (comment or "")),
        reply=reply,
        comment=comment if comment and comment.strip() else None,
        lang=str(data.get("lang") or ""),
        labels={rule: labels[rule] for rule in HEAD_RULES} | {k: v for k, v in labels.items() if k not in HEAD_RULES},
        evidence=evidence,
        source=str(data.get("source") or ""),
        source_kind=str(data.get("source_kind") or ""),
        split=split,
        origin=origin,
        brand=str(data.get("brand") or ""),
        note=str(data.get("note") or ""),
        line=number,
    )
