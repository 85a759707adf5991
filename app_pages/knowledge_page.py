"""The trainers' page: what the assistant knows (policies, past replies), the index and its
state, re-indexing with progress, every lint problem with file and line, and the replies writers
saved, waiting for approval."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages.shared import settings, store
from assistant.ingest import IngestError, ingest
from assistant.knowledge.saved_replies import pending_replies, set_status
from assistant.languages import supported_codes
from assistant.lint import lint
from assistant.retrieval import search
from assistant.store import DETAILS_CACHE_SIZE, StoreError

st.title("Knowledge")
current = settings()
try:
    index = store()
except StoreError as error:
    st.error(f"The knowledge index cannot be opened: {error}")
    st.stop()
known, problems = lint(current.knowledge_dir)
status = index.status()

cols = st.columns(5)
cols[0].metric("Policies", len(known.policies))
cols[1].metric("Past replies", len(known.replies))
cols[2].metric("Indexed chunks", status["documents"])
cols[3].metric("Errors", sum(p.severity == "error" for p in problems))
cols[4].metric("Warnings", sum(p.severity != "error" for p in problems))
files = sum(
    1 for f in Path(current.knowledge_dir).rglob("*") if f.is_file() and f.suffix in (".md", ".yaml", ".yml", ".csv")
)
st.caption(
    f"Embedding model: {status['embedding_model']} · {files} files · collection {status['collection']} · "
    f"last sync: {status['last_sync'] or 'never'} · knowledge folder `{current.knowledge_dir}` · "
    f"{status['cached_documents']:,} passages held in memory (at most {DETAILS_CACHE_SIZE:,})"
)
if status["documents"] == 0:
    st.warning("The index is empty: press Re-index (or run `assistant ingest`) so drafts can use the knowledge.")

if st.button("Re-index", type="primary", help="Embeds only what changed since the last sync"):
    bar = st.progress(0.0, text="Reading knowledge/…")

    def on_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Embedding {done}/{total} new or changed passages")

    try:
        result = ingest(current, progress=False, store=index, on_progress=on_progress)
    except IngestError as error:
        bar.empty()
        st.error(str(error).replace("pass --allow-empty", "run `assistant ingest --allow-empty`"))
    else:
        bar.progress(1.0, text="Done")
        sync = result.sync
        counts = (
            f"{sync.added} embedded, {sync.relabelled} relabelled, {sync.deleted} removed, "
            f"{sync.unchanged} unchanged ({sync.seconds:.1f} s)"
        )
        if result.knowledge.errors:
            st.warning(
                f"Indexed with {len(result.knowledge.errors)} error(s) in knowledge/: {counts}. The index keeps "
                f"the {sync.kept} passages it had from the broken files until they are fixed; see the Lint tab."
            )
        else:
            st.success(f"Index in sync: {counts}.")

search_tab, policies_tab, replies_tab, lint_tab, pending_tab = st.tabs(
    [
        "Search",
        "Policies",
        "Past replies",
        f"Lint ({len(problems)})",
        f"Pending ({len(pending_replies(current.knowledge_dir))})",
    ]
)

with search_tab:
    query = st.text_input("Search policies and past replies", placeholder="курьер опоздал")
    left, right = st.columns(2)
    kind = left.radio("Kind", ["all", "policy", "reply"], horizontal=True)
    lang = right.radio("Language of past replies", ["any", *supported_codes()], horizontal=True)
    if query:
        hits = search(index, query, kind=None if kind == "all" else kind, lang=None if lang == "any" else lang, k=6)
        if not hits:
            st.info("Nothing found. Is the index empty? Press Re-index.")
        for hit in hits:
            meta = hit.metadata
            title = meta.get("title") or f"past reply {meta.get('reply_id')}"
            with st.container(border=True):
                st.markdown(f"**{title}** · {meta.get('heading', meta.get('field', ''))} · score {hit.score:.2f}")
                st.text(hit.text)
                st.caption(f"{meta.get('source')}:{meta.get('line')}")

with policies_tab:
    for policy in known.policies:
        with st.expander(f"{policy.title} · topic `{policy.topic}` · {policy.path.name}"):
            st.caption("tags: " + ", ".join(policy.tags) + " · channels: " + ", ".join(policy.channels))
            for section in policy.sections:
                st.markdown(f"**{' › '.join(section.heading_path) or policy.title}** (line {section.line})")
                st.text(section.text)

with replies_tab:
    topics = sorted({r.topic for r in known.replies})
    left, middle, right = st.columns(3)
    topic = left.selectbox("Topic", ["all", *topics])
    channel = middle.selectbox("Channel", ["all", *known.channel_names])
    words = right.text_input("Contains", key="reply-filter")
    shown = [
        r
        for r in known.replies
        if (topic == "all" or r.topic == topic)
        and (channel == "all" or r.channel == channel)
        and (not words or words.lower() in (r.comment + " " + r.reply).lower())
    ]
    st.caption(f"{len(shown)} of {len(known.replies)} past replies")
    for reply in shown[:50]:
        with st.expander(f"{reply.id} · {reply.channel} · {reply.lang} · {reply.topic} · {reply.status}"):
            st.markdown("**Comment**")
            st.text(reply.comment)
            st.markdown("**Reply**")
            st.text(reply.reply)

with lint_tab:
    if not problems:
        st.success("No problems: every file loads and every example passes the guideline rules.")
    for problem in problems:
        where = f"{problem.path}:{problem.line}" if problem.line else str(problem.path)
        text = f"`{where}` {problem.message}" + (f" — {problem.hint}" if problem.hint else "")
        (st.error if problem.severity == "error" else st.warning)(text)

with pending_tab:
    waiting = pending_replies(current.knowledge_dir)
    if not waiting:
        st.info("No saved replies wait for review. Writers add them with “Save as good reply” on the Draft page.")
    for entry in waiting:
        with st.container(border=True):
            st.markdown(f"**{entry['id']}** · {entry.get('channel')} · {entry.get('lang')} · {entry.get('topic')}")
            st.text(f"Comment: {entry.get('comment', '')}")
            st.text(f"Reply: {entry.get('reply', '')}")
            approve, reject = st.columns(2)
            if approve.button("Approve", key=f"approve-{entry['id']}"):
                set_status(current.knowledge_dir, entry["id"], "approved")
                st.rerun()
            if reject.button("Reject", key=f"reject-{entry['id']}"):
                set_status(current.knowledge_dir, entry["id"], "rejected")
                st.rerun()
