"""The browser app, through Streamlit's own test harness."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(indexed_demo, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_demo.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_demo.knowledge_dir))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def test_writer_drafts_offline_and_sees_the_checklist(app):
    assert "Offline mode" in app.info[0].value
    app.text_area(key="comment").input("Курьер опоздал на 5 часов и нагрубил мне").run()
    app.button[0].click().run()
    assert not app.exception
    texts = [m.value for m in app.markdown]
    assert any("Draft 1" in t and "passes every applicable rule" in t for t in texts)
    assert any("`invite_dm`" in t for t in texts)
    assert "Direct" in app.code[0].value


def test_knowledge_tab_shows_the_index_and_searches_it(app):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Policies"] == "10" and int(metrics["Indexed documents"]) > 100
    search_box = [t for t in app.text_input if t.label.startswith("Search")][0]
    search_box.input("курьер опоздал").run()
    assert not app.exception
    assert any("Поведение курьера" in m.value or "Задержка доставки" in m.value for m in app.markdown)
