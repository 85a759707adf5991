"""Find the policy passages and past replies that fit a text, with filters a writer understands."""

from __future__ import annotations

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
