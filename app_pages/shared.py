"""What every page shares: resources created once per server (`st.cache_resource`), the
knowledge as it is on disk now, and small renderers for checklists and highlighted evidence.
Each writer's own state lives in `st.session_state`, which Streamlit keeps per browser tab."""

from __future__ import annotations

from html import escape
from pathlib import Path

import streamlit as st

from assistant.history import History
from assistant.ingest import open_store
from assistant.knowledge import Knowledge, load_knowledge
from assistant.rules import CheckResult
from assistant.settings import Settings, load_settings, public_url
from assistant.store import StoreError
from assistant.threads import set_thread_limit

MARKS = {"pass": "✅", "fail": "❌", "n/a": "➖"}


@st.cache_resource
def settings() -> Settings:
    loaded = load_settings()
    set_thread_limit(loaded.encoder_threads)
    return loaded


@st.cache_resource(show_spinner="Loading the embedding model and the index…")
def store():
    """One store, and so one embedding model, for every writer of this server."""
    return open_store(settings())


def available_store():
    """The shared store, or None when it cannot be opened (a Chroma server down or hung): drafting
    then says so in its warnings and drafts without sources, instead of failing."""
    try:
        return store()
    except StoreError:
        return None


@st.cache_resource
def history() -> History:
    return History(settings().data_dir)


def knowledge() -> Knowledge:
    """Re-read only when a file in knowledge/ changed, so a trainer's edit shows at once."""
    root = Path(settings().knowledge_dir)
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.rglob("*")) if p.is_file())
    return _knowledge(str(root), signature)


@st.cache_resource(max_entries=4)
def _knowledge(root: str, signature: tuple) -> Knowledge:
    return load_knowledge(Path(root))


def drafter_banner() -> None:
    """Which drafter is active, and how to switch on an LLM. The API key is never shown."""
    current = settings()
    if current.llm_configured:
        where = public_url(current.openai_base_url) or "the OpenAI API"
        st.success(f"Drafter: **{current.llm_model}** at {where}. Every draft is checked against the guideline rules.")
    else:
        st.info(
            "Offline mode: drafts come from the **offline composer** (the brand's phrases and limits). "
            "To draft with an LLM, set `OPENAI_API_KEY`, or `OPENAI_BASE_URL` for an OpenAI-compatible server "
            "(Ollama, vLLM, llama.cpp), and restart the app."
        )


def checklist(check: CheckResult) -> None:
    for rule, verdict in check.verdicts.items():
        note = f" · *{escape(verdict.decided_note[1:-1])}*" if verdict.decided_note else ""
        st.markdown(f"{MARKS[verdict.status]} `{rule}` — {escape(verdict.message)}{note}")


def highlighted(text: str, check: CheckResult) -> str:
    """The reply as HTML with the words that decided each rule marked: red where a rule fails,
    green where they made it pass. Everything is escaped: a draft may quote the customer. Where
    marks overlap, the narrower wins (a lexicon's words over a head's whole sentence), fails first."""
    candidates = []
    for rule, verdict in check.verdicts.items():
        for evidence in verdict.evidence:
            if evidence.source == "reply" and 0 <= evidence.start < evidence.end <= len(text):
                candidates.append((evidence.start, evidence.end, rule, verdict.status))
    spans: list[tuple[int, int, str, str]] = []
    for span in sorted(candidates, key=lambda s: (s[3] != "fail", s[1] - s[0], s[0])):
        if all(span[1] <= s[0] or s[1] <= span[0] for s in spans):
            spans.append(span)
    spans.sort()
    out, cursor = [], 0
    for start, end, rule, status in spans:
        color = "#ffd6d6" if status == "fail" else "#d8f5dd"
        out.append(escape(text[cursor:start]))
        out.append(f"<mark title='{escape(rule)}' style='background:{color}'>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:]))
    body = "".join(out).replace("\n", "<br>")
    return f"<div style='line-height:1.6'>{body}</div>"
