"""Reply Assistant in the browser. For now: the state of the index and a knowledge search.

Run with `bash scripts/run.sh`. Everything computed here is a call into `assistant/`.
"""

from __future__ import annotations

import streamlit as st

from assistant.ingest import open_store
from assistant.knowledge import load_knowledge
from assistant.retrieval import search
from assistant.settings import load_settings

st.set_page_config(page_title="Reply Assistant", page_icon="💬", layout="wide")


@st.cache_resource
def shared_store():
    """One store (and one embedding model) for every writer of this server."""
    return open_store(load_settings())


settings = load_settings()
st.title("Reply Assistant")
st.caption("Drafting lands with the next release; meanwhile, search what the brand has written down.")

store = shared_store()
status = store.status()
knowledge = load_knowledge(settings.knowledge_dir)
cols = st.columns(4)
cols[0].metric("Policies", len(knowledge.policies))
cols[1].metric("Past replies", len(knowledge.replies))
cols[2].metric("Indexed documents", status["documents"])
cols[3].metric("Knowledge problems", len(knowledge.errors))
st.caption(f"Embedding model: {status['embedding_model']} · last sync: {status['last_sync'] or 'never'}")
if status["documents"] == 0:
    st.warning("The index is empty: run `assistant ingest` in the project folder.")

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
