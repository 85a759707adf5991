"""The browser app through Streamlit's own test harness: each page's main flow, with the real
pipeline, store and files (and the stub server where an LLM is needed)."""

from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from assistant.history import History

APP = str(Path(__file__).resolve().parent.parent / "app.py")
COMMENT = "Курьер опоздал на 5 часов и нагрубил мне"


@pytest.fixture
def start_app(indexed_copy, monkeypatch):
    """Start the app on a private copy of the ingested demo, with extra environment variables."""

    def start(**env: str) -> AppTest:
        monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_copy.data_dir))
        monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_copy.knowledge_dir))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        st.cache_resource.clear()  # settings and the store are shared per server: start each test afresh
        at = AppTest.from_file(APP, default_timeout=120).run()
        assert not at.exception
        return at

    yield start
    st.cache_resource.clear()


@pytest.fixture
def app(start_app):
    return start_app()


def texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def draft(at, comment: str = COMMENT):
    at.text_area(key="comment").input(comment)
    at.button[0].click().run()  # the form's Draft button (Ctrl+Enter in the comment submits it too)
    assert not at.exception
    return at


def test_writer_drafts_offline_and_sees_the_checklist_and_evidence(app):
    assert "Offline mode" in app.info[0].value and "OPENAI_BASE_URL" in app.info[0].value
    draft(app)
    assert any("**Draft 1**" in t and "passes every applicable rule" in t for t in texts(app))
    assert any(t.startswith("✅ `invite_dm`") for t in texts(app))
    assert any("<mark title='invite_dm'" in t for t in texts(app))  # the words that decided it
    assert "Direct" in app.code[0].value
    assert "offline composer" in app.caption[0].value and "topic courier_behaviour" in app.caption[0].value


def test_an_edit_is_rechecked_and_recorded(app, indexed_copy):
    draft(app)
    editor = [t for t in app.text_area if t.key and t.key.startswith("edit-")][0]
    editor.input("Курьер опоздал, бывает.").run()
    assert any("edited, re-checked" in t and "FAILS" in t and "invite_dm" in t for t in texts(app))
    assert any(t.startswith("❌ `invite_dm`") for t in texts(app))
    with History(indexed_copy.data_dir)._connect() as db:
        assert db.execute("SELECT text FROM events WHERE kind = 'edited'").fetchone()[0] == "Курьер опоздал, бывает."


def test_marking_a_draft_as_sent_and_saving_it_for_the_trainers(app, indexed_copy):
    draft(app)
    app.button(key=[b.key for b in app.button if b.key and b.key.startswith("kept-")][1]).click().run()
    kept = History(indexed_copy.data_dir).recent(1)[0]
    assert kept["kept_variant"] == 1 and "Direct" in kept["kept_text"]
    assert any(b.label == "✔ Sent" and b.disabled for b in app.button)

    app.button(key=[b.key for b in app.button if b.key and b.key.startswith("save-")][0]).click().run()
    saved = yaml.safe_load((indexed_copy.knowledge_dir / "replies" / "from_writers.yaml").read_text(encoding="utf-8"))
    assert (
        saved[0]["status"] == "pending" and saved[0]["comment"] == COMMENT and saved[0]["topic"] == "courier_behaviour"
    )

    app.switch_page("app_pages/knowledge_page.py").run()
    assert not app.exception
    assert any("is pending review" in w.value for w in app.warning)  # lint marks it
    app.button(key=f"approve-{saved[0]['id']}").click().run()
    saved = yaml.safe_load((indexed_copy.knowledge_dir / "replies" / "from_writers.yaml").read_text(encoding="utf-8"))
    assert saved[0]["status"] == "approved"


def drafts_shown(at) -> list[str]:
    return [t.value for t in at.text_area if t.key and t.key.startswith("edit-")]


def test_regenerating_shorter_keeps_the_earlier_drafts(app):
    draft(app)
    before = drafts_shown(app)
    assert len(set(before)) == len(before) == 3  # three variants, no two alike
    app.button(key="regenerate-shorter").click().run()
    assert not app.exception
    assert "regenerated: shorter" in app.caption[0].value
    assert any(e.label.startswith("Earlier drafts for this comment") for e in app.expander)
    after = drafts_shown(app)
    assert len(after) == 3 and sum(map(len, after)) <= 0.7 * sum(map(len, before)), (before, after)


def test_an_empty_comment_asks_for_one(app):
    app.button[0].click().run()
    assert "Paste the customer's comment first." in [w.value for w in app.warning]


def test_an_llm_timeout_says_so_and_keeps_the_comment(start_app, openai_stub):
    openai_stub.replies.extend([{"delay": 2, "content": "late"}] * 3)
    at = start_app(
        OPENAI_BASE_URL=openai_stub.base_url,
        OPENAI_API_KEY="sk-very-secret-key-123",
        ASSISTANT_LLM_TIMEOUT="0.5",
        ASSISTANT_LLM_MAX_RETRIES="0",
        ASSISTANT_LLM_TRIAGE="false",
    )
    draft(at)
    assert at.text_area(key="comment").value == COMMENT
    assert any("the LLM failed" in e.value and "did not answer within 0.5s" in e.value for e in at.error)
    assert any("passes every applicable rule" in t for t in texts(at))  # the offline composer stood in
    shown = " ".join(str(getattr(e, "value", "")) for e in [*at.markdown, *at.success, *at.caption, *at.error])
    assert "sk-very-secret-key-123" not in shown and openai_stub.base_url in at.success[0].value


def test_knowledge_page_shows_the_index_and_searches_it(app):
    app.switch_page("app_pages/knowledge_page.py").run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Policies"] == "10" and int(metrics["Indexed chunks"]) > 100 and metrics["Errors"] == "0"
    app.text_input[0].input("курьер опоздал").run()
    assert any("Поведение курьера" in t or "Задержка доставки" in t for t in texts(app))
    reindex = [b for b in app.button if b.label == "Re-index"][0]
    reindex.click().run()
    assert any("Index in sync: 0 embedded" in s.value for s in app.success)


def test_evals_page_runs_a_suite_and_shows_the_gates(app):
    app.switch_page("app_pages/evals_page.py").run()
    assert not app.exception
    app.selectbox[0].select(Path("evals/suites/smoke.yaml")).run()
    [b for b in app.button if b.label == "Run suite"][0].click().run()
    assert not app.exception
    # the smoke suite passes with the shipped drafter: the page must say so, and show every gate passed
    assert [m.value for m in app.error] == []
    assert any(m.value.startswith("smoke: PASSED · 5/5 cases pass") for m in app.success)
    gates = next(t.value for t in app.table if "gate" in t.value.columns)
    assert len(gates) >= 10 and set(gates["passed"]) == {"✔"}
    assert any("drafts that needed repair" in name for name in gates["gate"])
    grader = next(t.value for t in app.table if "drafts graded" in t.value.columns)
    assert "no_blame" in set(grader["rule"])


def test_history_page_lists_what_was_drafted(app):
    draft(app)
    app.switch_page("app_pages/history_page.py").run()
    assert not app.exception
    assert app.caption[0].value.endswith(" runs")
    assert "courier_behaviour" in app.expander[0].label


def test_llm_drafts_come_through_the_stub_and_name_the_model(start_app, openai_stub):
    from tests.test_drafting import GOOD_ANSWER

    openai_stub.replies.extend([GOOD_ANSWER] * 3)
    at = start_app(OPENAI_BASE_URL=openai_stub.base_url, ASSISTANT_LLM_MODEL="stub-model", ASSISTANT_LLM_TRIAGE="false")
    assert "stub-model" in at.success[0].value
    draft(at)
    assert at.caption[0].value.startswith("llm:stub-model")
    assert [t.value for t in at.text_area if t.key and t.key.startswith("edit-")] == [GOOD_ANSWER] * 3
    assert all(r["body"]["stream"] for r in openai_stub.requests if r["path"].endswith("/chat/completions"))


def test_credentials_inside_the_server_url_are_not_shown_on_the_page(start_app, openai_stub):
    url = openai_stub.base_url.replace("http://", "http://writer:hunter2@") + "?api_key=hunter2"
    at = start_app(OPENAI_BASE_URL=url, ASSISTANT_LLM_MODEL="stub-model", ASSISTANT_LLM_TRIAGE="false")
    shown = " ".join(m.value for m in [*at.success, *at.markdown, *at.info, *at.caption])
    assert "stub-model" in shown and "***@127.0.0.1" in shown
    assert "hunter2" not in shown


def test_the_app_listens_on_this_machine_only_unless_told_otherwise():
    """`streamlit run app.py` without flags reads the project's config: loopback, no Deploy button."""
    import subprocess
    import sys

    probe = (
        "import streamlit.config as c; c.get_config_options(force_reparse=True); "
        "print(c.get_option('server.address'), c.get_option('client.toolbarMode'))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=Path(APP).parent, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["127.0.0.1", "minimal"]


def test_a_dead_chroma_server_gives_drafts_and_a_clear_warning_not_a_traceback(start_app):
    from tests.conftest import free_port

    app = start_app(CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(free_port()), ASSISTANT_STORE_TIMEOUT="2")
    draft(app)
    assert any("**Draft 1**" in t for t in texts(app))  # the writer still gets drafts
    warnings = [w.value for w in app.warning]
    assert any("cannot reach the Chroma server" in w and "CHROMA_HOST" in w for w in warnings), warnings
    assert not app.error
    app.switch_page("app_pages/knowledge_page.py").run()
    assert not app.exception
    assert any("knowledge index cannot be opened" in e.value and "CHROMA_HOST" in e.value for e in app.error)
