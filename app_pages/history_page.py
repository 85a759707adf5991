"""Recent drafting runs: what was drafted, which draft was sent, what the writer changed."""

from __future__ import annotations

import streamlit as st

from app_pages.shared import history, knowledge
from assistant.history import HistoryError

st.title("History")
left, middle, right = st.columns(3)
channel = left.selectbox("Channel", ["all", *knowledge().channel_names])
kept_only = middle.checkbox("Only runs with a sent draft")
words = right.text_input("Comment contains")
try:
    runs = history().recent(limit=200, channel=None if channel == "all" else channel, kept_only=kept_only)
except HistoryError as error:
    st.error(str(error))
    st.stop()
if words:
    runs = [r for r in runs if words.lower() in r["comment"].lower()]
st.caption(f"{len(runs)} runs")
if not runs:
    st.info("No drafts yet: they appear here as writers draft on the Draft page (or with `assistant draft`).")
for run in runs[:100]:
    sent = f" · sent draft {run['kept_variant'] + 1}" if run["kept_text"] is not None else ""
    title = f"{run['created']} · {run['channel'] or '—'} · {run['drafter']} · {run['topic']}{sent}"
    with st.expander(title):
        st.text(f"Comment: {run['comment']}")
        if run["kept_text"] is not None:
            st.markdown("**Sent**")
            st.code(run["kept_text"], language=None, wrap_lines=True)
        try:
            stored = history().run(run["id"]) or {}
        except HistoryError as error:
            st.warning(str(error))
            continue
        for number, draft in enumerate(stored.get("drafts", []), 1):
            status = (
                "passes"
                if draft["passed"]
                else "fails " + ", ".join(r for r, s in draft["verdicts"].items() if s == "fail")
            )
            st.markdown(f"Draft {number} · {draft['angle']} · {status}")
            st.text(draft["text"])
