"""The writer's page: paste a comment, get checked drafts, edit them with a live re-check,
copy one, mark the one that was sent, save a good one as an example."""

from __future__ import annotations

import queue
import uuid
from concurrent.futures import ThreadPoolExecutor

import streamlit as st

from app_pages.shared import (
    available_store,
    checklist,
    drafter_banner,
    highlighted,
    history,
    knowledge,
    settings,
)
from assistant.drafting import INSTRUCTIONS, LANGUAGE_OF, draft_replies
from assistant.history import HistoryError
from assistant.knowledge.saved_replies import save_pending_reply
from assistant.rules import check_reply

KEPT_RUNS = 5

st.title("Draft a reply")
drafter_banner()
known = knowledge()
state = st.session_state
state.setdefault("runs", [])  # this writer's latest runs, newest first
state.setdefault("recorded", {})  # (run, variant) -> the last edit written to the history
state.setdefault("kept", {})  # run -> the variant marked as sent
state.setdefault("saved", {})  # (run, variant) -> id of the saved example

with st.form("draft-form"):
    st.text_area(
        "Customer's comment",
        key="comment",
        height=130,
        placeholder="Курьер опоздал на 5 часов и нагрубил мне",
        help="Paste the comment as the customer wrote it. It is treated as data: instructions in it are not obeyed.",
    )
    left, middle, right = st.columns([2, 2, 1])
    left.selectbox("Channel", list(known.channel_names), key="channel")
    middle.text_input("Customer's name (optional)", key="name")
    right.number_input("Variants", min_value=1, max_value=5, value=3, key="variants")
    st.text_input(
        "Order context (optional)",
        key="context",
        placeholder="заказ 48213, доставка курьером 12 ноября, статус: в пути",
    )
    submitted = st.form_submit_button("Draft", type="primary", help="Ctrl+Enter in the comment drafts too")


def run_draft(instruction: str | None = None) -> None:
    comment = state.get("comment", "")
    if not comment.strip():
        st.warning("Paste the customer's comment first.")
        return
    current = settings()
    n = int(state.get("variants", 3))
    streaming = current.llm_configured
    tokens: queue.Queue = queue.Queue()
    boxes = [st.empty() for _ in range(n)] if streaming else []
    texts = [""] * n
    try:
        with st.spinner("Drafting…"), ThreadPoolExecutor(max_workers=1) as pool:
            # the pipeline runs beside the page so the page can show the model's text as it streams
            future = pool.submit(
                draft_replies,
                comment,
                current,
                channel=state.get("channel"),
                name=(state.get("name") or "").strip() or None,
                n=n,
                context=(state.get("context") or "").strip() or None,
                store=available_store(),
                knowledge=known,
                on_token=(lambda i, t: tokens.put((i, t))) if streaming else None,
                instruction=instruction,
            )
            while not (future.done() and tokens.empty()):
                try:
                    index, piece = tokens.get(timeout=0.05)
                except queue.Empty:
                    continue
                texts[index] += piece
                boxes[index].text(f"Variant {index + 1} (writing…)\n{texts[index]}")
            result = future.result()
    except Exception as error:  # noqa: BLE001 - the writer must see it; their comment and drafts stay
        state["draft_error"] = f"Drafting failed: {error}. Your comment and earlier drafts are kept; try again."
        return
    finally:
        for box in boxes:
            box.empty()
    state.pop("draft_error", None)
    try:
        run_id = history().record_run(result)
    except HistoryError as error:  # the drafts are shown all the same; only the record is missing
        state["history_error"] = str(error)
        run_id = f"unrecorded-{uuid.uuid4().hex[:8]}"
    state["runs"] = [{"id": run_id, "result": result, "instruction": instruction}, *state["runs"]][:KEPT_RUNS]


if submitted:
    run_draft()
if state.get("draft_error"):
    st.error(state["draft_error"])
if state.get("history_error"):
    st.warning(state.pop("history_error"))


def _record(action, run_id, index: int, text: str) -> bool:
    """Edits and sent texts go to the history when it can take them; a busy history is a warning,
    never a lost draft."""
    if not isinstance(run_id, int):
        return True  # the run itself could not be recorded
    try:
        action(run_id, index, text)
    except HistoryError as error:
        st.warning(str(error))
        return False
    return True


def show_run(run: dict) -> None:
    result, run_id = run["result"], run["id"]
    t = result.triage
    label = f" · regenerated: {run['instruction']}" if run.get("instruction") else ""
    st.caption(
        f"{result.drafter}{label} · language {t.lang} · {t.sentiment} · topic {t.topic} · "
        f"complainer {t.complainer} · severity {t.severity}"
    )
    for warning in result.warnings:
        (st.error if "crisis" in warning or "failed" in warning else st.warning)(warning)
    for index, draft in enumerate(result.drafts):
        show_draft(run_id, index, draft, result)
    with st.expander(f"Sources ({len(result.sources)})"):
        for source in result.sources:
            st.markdown(f"**{source.title}** · score {source.score:.2f} · `{source.source}:{source.line}`")
            st.text(source.text)


def _recheck(text: str, result):
    return check_reply(text, result.comment, result.channel, result.triage.lang, knowledge().brand)


def show_draft(run_id: int, index: int, draft, result) -> None:
    key = f"edit-{run_id}-{index}"
    with st.container(border=True):
        previous = state.get(key, draft.text)
        edited_before = previous != draft.text
        check = draft.check if not edited_before else _recheck(previous, result)
        verdict = "passes every applicable rule" if check.passed else "FAILS: " + ", ".join(check.failed_rules)
        st.markdown(
            f"**Draft {index + 1}** · {draft.angle}{' · edited, re-checked' if edited_before else ''} · {verdict}"
        )
        left, right = st.columns([3, 2])
        with left:
            text = st.text_area(
                f"Draft {index + 1}",
                value=draft.text,
                key=key,
                height=200,
                label_visibility="collapsed",
                help="Edit freely: the checklist re-checks the text when you click outside or press Ctrl+Enter",
            )
            if text != previous:  # changed in this very run: check what is there now
                check = draft.check if text == draft.text else _recheck(text, result)
            for action in draft.repairs if text == draft.text else ():
                st.caption(f"repaired: {action}")
        with right:
            checklist(check)
        edited = text != draft.text
        recorded = state["recorded"].get((run_id, index)) == text
        if edited and not recorded and _record(history().record_edit, run_id, index, text):
            state["recorded"][(run_id, index)] = text
        with st.expander("The words that decided each rule", expanded=not check.passed):
            st.markdown(highlighted(text, check), unsafe_allow_html=True)
        buttons = st.columns(3)
        with buttons[2].popover("📋 Copy text"):
            st.code(text, language=None, wrap_lines=True)  # its copy button copies the text as it is now
        kept = state["kept"].get(run_id) == index
        sent = buttons[0].button("✔ Sent" if kept else "Mark as sent", key=f"kept-{run_id}-{index}", disabled=kept)
        if sent and _record(history().mark_kept, run_id, index, text):
            state["kept"][run_id] = index
            st.rerun()
        saved = state["saved"].get((run_id, index))
        if buttons[1].button(
            "Saved for review" if saved else "Save as good reply",
            key=f"save-{run_id}-{index}",
            disabled=bool(saved) or not check.passed,
            help="Adds it to knowledge/replies/ as a pending example; a trainer approves it on the Knowledge page.",
        ):
            state["saved"][(run_id, index)] = save_pending_reply(
                settings().knowledge_dir,
                result.comment,
                text,
                result.channel or "instagram",
                result.triage.lang,
                result.triage.topic,
                sentiment=result.triage.sentiment,
                complainer=result.triage.complainer,
            )
            st.rerun()


runs = state["runs"]
if runs:
    show_run(runs[0])
    st.markdown("**Regenerate**")
    current = runs[0]["result"].triage.lang
    choices = [i for i in INSTRUCTIONS if LANGUAGE_OF.get(i) != current]  # no "in Russian" for a Russian draft
    for column, instruction in zip(st.columns(len(choices)), choices, strict=True):
        if column.button(instruction[0].upper() + instruction[1:], key=f"regenerate-{instruction}"):
            run_draft(instruction)
            st.rerun()
    earlier = [r for r in runs[1:] if r["result"].comment == runs[0]["result"].comment]
    if earlier:
        with st.expander(f"Earlier drafts for this comment ({len(earlier)})"):
            for run in earlier:
                for number, draft in enumerate(run["result"].drafts, 1):
                    st.markdown(
                        f"**Draft {number}** · {run.get('instruction') or 'first run'} · {run['result'].drafter}"
                    )
                    st.code(draft.text, language=None, wrap_lines=True)
