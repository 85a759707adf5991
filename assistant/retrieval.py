"""Find the policy passages and past replies that fit a text, with filters a writer understands."""

from __future__ import annotations

from dataclasses import dataclass, field

from .store import Hit, Store

KINDS = ("policy", "reply")


def where_filter(kind: str | None = None, channel: str | None = None, lang: str | None = None) -> dict | None:
    """A chromadb filter. Policies hold for every language, so `lang` narrows only past replies."""
    conditions: list[dict] = []
    if kind:
        conditions.append({"kind": kind})
    if channel:
        conditions.append({f"ch_{channel}": True})
    if lang:
        conditions.append({"lang": lang} if kind == "reply" else {"$or": [{"kind": "policy"}, {"lang": lang}]})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def search(
    store: Store, text: str, kind: str | None = None, channel: str | None = None, lang: str | None = None, k: int = 5
) -> list[Hit]:
    """The best `k` matches; a past reply appears once even when its comment and answer both match."""
    hits = store.query(text, k=k * 3, where=where_filter(kind, channel, lang))
    results, seen_replies = [], set()
    for hit in hits:
        reply_id = hit.metadata.get("reply_id")
        if reply_id:
            if reply_id in seen_replies:
                continue
            seen_replies.add(reply_id)
        results.append(hit)
        if len(results) == k:
            break
    return results


def search_by_kind(
    store: Store, text: str, channel: str | None = None, lang: str | None = None, k: int = 5
) -> dict[str, list[Hit]]:
    """The best policies and the best past replies, apart: a writer reads what is allowed first,
    then how the team has said it before, and neither crowds the other out."""
    return {kind: search(store, text, kind=kind, channel=channel, lang=lang, k=k) for kind in KINDS}


@dataclass(frozen=True)
class Source:
    """A passage a draft was grounded in, as the writer sees it under the draft."""

    kind: str  # policy | reply
    id: str
    source: str  # file inside knowledge/
    line: int
    title: str
    text: str
    score: float
    metadata: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "metadata"}


def mmr(hits: list[Hit], k: int, diversity: float = 0.3) -> list[Hit]:
    """Maximal marginal relevance: relevant passages that do not repeat each other."""
    import numpy as np

    if len(hits) <= 1 or any(h.vector is None for h in hits):
        return hits[:k]
    vectors = np.asarray([h.vector for h in hits], dtype=np.float32)
    similarity = vectors @ vectors.T  # the stored vectors are unit length: dot product = cosine
    scores = np.asarray([h.score for h in hits])
    chosen: list[int] = []
    remaining = list(range(len(hits)))
    while remaining and len(chosen) < k:
        if chosen:
            closest = similarity[np.ix_(remaining, chosen)].max(axis=1)
            values = (1 - diversity) * scores[remaining] - diversity * closest
        else:
            values = scores[remaining]
        best = remaining[int(np.argmax(values))]
        chosen.append(best)
        remaining.remove(best)
    return [hits[i] for i in chosen]


def retrieve_context(
    store: Store,
    comment: str,
    topic: str | None,
    channel: str | None,
    lang: str | None,
    k_policies: int = 4,
    k_replies: int = 3,
    topic_boost: float = 0.05,
) -> list[Source]:
    """Policy passages (the triaged topic first) and past replies for this channel and language."""
    if store.count() == 0:
        return []
    vector = store.embedder.embed_query(comment)
    policies = store.query_vector(vector, k_policies * 3, where_filter("policy", channel, None), with_vectors=True)
    policies = [_boosted(h, topic, topic_boost) for h in policies]
    replies = store.query_vector(vector, k_replies * 4, where_filter("reply", channel, lang), with_vectors=True)
    if not replies and channel:  # no past reply on this channel: any channel will do
        replies = store.query_vector(vector, k_replies * 4, where_filter("reply", None, lang), with_vectors=True)
    replies = _one_per_reply([_boosted(h, topic, topic_boost) for h in replies])
    chosen = mmr(sorted(policies, key=lambda h: -h.score), k_policies) + mmr(replies, k_replies)
    return _with_reply_pairs(store, [_source(h) for h in chosen])


def _with_reply_pairs(store: Store, sources: list[Source]) -> list[Source]:
    """A past reply is shown whole: the customer's comment and the team's answer (one lookup)."""
    ids = [s.id for s in sources if s.kind == "reply"]
    if not ids:
        return sources
    got = store.collection.get(where={"reply_id": {"$in": ids}}, include=["documents", "metadatas"])
    texts: dict[tuple[str, str], str] = {}
    for doc, meta in zip(got["documents"], got["metadatas"], strict=True):
        texts[(str(meta.get("reply_id")), str(meta.get("field")))] = doc
    result = []
    for s in sources:
        if s.kind == "reply":
            meta = {**s.metadata, "comment": texts.get((s.id, "comment"), "")}
            s = Source(s.kind, s.id, s.source, s.line, s.title, texts.get((s.id, "reply"), s.text), s.score, meta)
        result.append(s)
    return result


def _boosted(hit: Hit, topic: str | None, boost: float) -> Hit:
    if topic and hit.metadata.get("topic") == topic:
        return Hit(hit.id, hit.text, hit.score + boost, hit.metadata, hit.vector)
    return hit


def _one_per_reply(hits: list[Hit]) -> list[Hit]:
    best: dict[str, Hit] = {}
    for hit in hits:
        key = hit.metadata.get("reply_id", hit.id)
        if key not in best or hit.score > best[key].score:
            best[key] = hit
    return sorted(best.values(), key=lambda h: -h.score)


def _source(hit: Hit) -> Source:
    meta = hit.metadata
    if meta.get("kind") == "policy":
        title = meta.get("title", "") + (f" › {meta['heading']}" if meta.get("heading") else "")
        return Source(
            "policy",
            hit.id,
            meta.get("source", ""),
            int(meta.get("line", 0)),
            title,
            hit.text,
            round(hit.score, 4),
            dict(meta),
        )
    return Source(
        "reply",
        str(meta.get("reply_id", hit.id)),
        meta.get("source", ""),
        int(meta.get("line", 0)),
        f"past reply {meta.get('reply_id')}",
        hit.text,
        round(hit.score, 4),
        dict(meta),
    )
