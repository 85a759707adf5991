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
    vector=None,
) -> list[Source]:
    """Policy passages (the triaged topic first) and past replies for this channel and language.
    `vector` is the comment's query vector when triage has computed it already."""
    if store.count() == 0:
        return []
    vector = store.embedder.embed_query(comment) if vector is None else vector
    wanted_policies, wanted_replies = k_policies * 3, k_replies * 4
    # one query for both kinds (each chromadb query has a fixed cost); a kind is asked for on
    # its own only when the other crowded it out
    hits = store.query_vector(vector, 2 * (wanted_policies + wanted_replies), where_filter(None, channel, lang), True)
    policies = [h for h in hits if h.metadata.get("kind") == "policy"][:wanted_policies]
    replies = [h for h in hits if h.metadata.get("kind") == "reply"][:wanted_replies]
    if len(replies) < k_replies:
        replies = store.query_vector(vector, wanted_replies, where_filter("reply", channel, lang), True)
    if not replies and channel:  # no past reply on this channel: any channel will do
        replies = store.query_vector(vector, wanted_replies, where_filter("reply", None, lang), True)
    # not imitated until approved, nor while it breaks a rule
    replies = [h for h in replies if h.metadata.get("status") != "pending" and not h.metadata.get("breaks")]
    if len(policies) < k_policies:
        policies = store.query_vector(vector, wanted_policies, where_filter("policy", channel, None), True)
    policies = [_boosted(h, topic, topic_boost) for h in policies]
    replies = _one_per_reply([_boosted(h, topic, topic_boost) for h in replies])
    chosen = mmr(sorted(policies, key=lambda h: -h.score), k_policies) + mmr(replies, k_replies)
    return _whole_replies(store, chosen)


def _whole_replies(store: Store, hits: list[Hit]) -> list[Source]:
    """A past reply is shown whole: the customer's comment and the team's answer. Each half
    carries the other (`pair`); an index built before that needs one lookup."""
    missing = [
        str(h.metadata.get("reply_id")) for h in hits if h.metadata.get("kind") == "reply" and "pair" not in h.metadata
    ]
    texts: dict[tuple[str, str], str] = {}
    if missing:
        got = store.collection.get(where={"reply_id": {"$in": missing}}, include=["documents", "metadatas"])
        for doc, meta in zip(got["documents"], got["metadatas"], strict=True):
            texts[(str(meta.get("reply_id")), str(meta.get("field")))] = doc
    sources = []
    for hit in hits:
        source = _source(hit)
        meta = hit.metadata
        if source.kind == "reply":
            own, pair = hit.text, meta.get("pair")
            comment = own if meta.get("field") == "comment" else pair
            reply = own if meta.get("field") == "reply" else pair
            comment = texts.get((source.id, "comment"), "") if comment is None else comment
            reply = texts.get((source.id, "reply"), own) if reply is None else reply
            source = Source(
                "reply",
                source.id,
                source.source,
                source.line,
                source.title,
                reply,
                source.score,
                {**meta, "comment": comment},
            )
        sources.append(source)
    return sources


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
