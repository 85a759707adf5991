"""The browser app, through Streamlit's own test harness."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_app_shows_the_index_and_searches_it(indexed_demo, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_demo.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_demo.knowledge_dir))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Policies"] == "10" and int(metrics["Indexed documents"]) > 100
    at.text_input[0].input("курьер опоздал").run()
    assert not at.exception
    assert "Поведение курьера" in at.markdown[0].value or "Задержка доставки" in at.markdown[0].value
