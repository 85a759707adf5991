"""Reply Assistant in the browser: draft replies, and search what the brand has written down.

Run with `bash scripts/run.sh`. Everything computed here is a call into `assistant/`; the full
writer's app (editing with live re-checks, history, the trainers' and QA pages) is the next step.
"""

from __future__ import annotations

import streamlit as st

from assistant.drafting import draft_replies
from assistant.ingest import open_store
from assistant.knowledge import load_knowledge
from assistant.retrieval import search
from assistant.settings import load_settings

st.set_page_config(page_title="Reply Assistant", page_icon="💬", layout="wide")
MARKS = {"pass": "✅", "fail": "❌", "n/a": "➖"}


@st.cache_resource
def shared_store():
    """One store (and one embedding model) for every writer of this server."""
    return open_store(load_settings())


settings = load_settings()
store = shared_store()
knowledge = load_knowledge(settings.knowledge_dir)
status = store.status()

st.title("Reply Assistant")
if settings.llm_configured:
    st.caption(f"Drafts are written by {settings.llm_model} and checked against the guideline rules.")
else:
    st.info(
        "Offline mode: drafts come from the offline composer. Set OPENAI_API_KEY, or OPENAI_BASE_URL for an "
        "OpenAI-compatible server, to draft with an LLM."
    )
if status["documents"] == 0:
    st.warning("The index is empty: run `assistant ingest` in the project folder.")

draft_tab, search_tab = st.tabs(["Draft", "Knowledge"])

with draft_tab:
    comment = st.text_area(
        "Customer's comment", key="comment", height=120, placeholder="Курьер опоздал на 5 часов и нагрубил мне"
    )
    left, middle, right = st.columns(3)
    channel = left.selectbox("Channel", list(knowledge.channel_names), key="channel")
    name = middle.text_input("Customer's name (optional)", key="name")
    variants = right.number_input("Variants", min_value=1, max_value=5, value=3, key="variants")
    if st.button("Draft", type="primary") and comment.strip():
        with st.spinner("Drafting…"):
            st.session_state["result"] = draft_replies(
                comment, settings, channel=channel, name=name or None, n=int(variants), store=store, knowledge=knowledge
            )
    result = st.session_state.get("result")
    if result is not None:
        t = result.triage
        st.caption(
            f"{result.drafter} · {t.lang} · {t.sentiment} · topic {t.topic} · complainer {t.complainer} · "
            f"severity {t.severity}"
        )
        for warning in result.warnings:
            st.warning(warning)
        for number, draft in enumerate(result.drafts, 1):
            with st.container(border=True):
                verdict = (
                    "passes every applicable rule" if draft.passed else "FAILS: " + ", ".join(draft.check.failed_rules)
                )
                st.markdown(f"**Draft {number}** · {draft.angle} · {verdict}")
                st.code(draft.text, language=None, wrap_lines=True)
                for rule, v in draft.check.verdicts.items():
                    st.markdown(f"{MARKS[v.status]} `{rule}` — {v.message}")
        with st.expander("Sources"):
            for source in result.sources:
                st.markdown(f"**{source.title}** · score {source.score:.2f} · `{source.source}:{source.line}`")
                st.write(source.text)

with search_tab:
    cols = st.columns(4)
    cols[0].metric("Policies", len(knowledge.policies))
    cols[1].metric("Past replies", len(knowledge.replies))
    cols[2].metric("Indexed documents", status["documents"])
    cols[3].metric("Knowledge problems", len(knowledge.errors))
    st.caption(f"Embedding model: {status['embedding_model']} · last sync: {status['last_sync'] or 'never'}")
    query = st.text_input("Search policies and past replies", placeholder="курьер опоздал")
    kind = st.radio("Kind", ["all", "policy", "reply"], horizontal=True)
    if query:
        for hit in search(store, query, kind=None if kind == "all" else kind, k=5):
            meta = hit.metadata
            title = meta.get("title") or f"past reply {meta.get('reply_id')}"
            with st.container(border=True):
                st.markdown(f"**{title}** · {meta.get('heading', meta.get('field', ''))} · score {hit.score:.2f}")
                st.write(hit.text)
                st.caption(f"{meta.get('source')}:{meta.get('line')}")
