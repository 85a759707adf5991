"""Reply Assistant in the browser: writers draft replies, trainers look after the knowledge, QA
runs the eval suites. Start it with `bash scripts/run.sh`.

This file only lays out the pages (`app_pages/`); everything they compute is a call into
`assistant/`, the library the command line and the evals use too.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Reply Assistant", page_icon="💬", layout="wide")

pages = st.navigation(
    [
        st.Page("app_pages/draft.py", title="Draft", icon="✍️", default=True),
        st.Page("app_pages/knowledge_page.py", title="Knowledge", icon="📚", url_path="knowledge"),
        st.Page("app_pages/evals_page.py", title="Evals", icon="📊", url_path="evals"),
        st.Page("app_pages/history_page.py", title="History", icon="🕘", url_path="history"),
    ]
)
pages.run()
