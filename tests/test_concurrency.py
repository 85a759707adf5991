"""Writers never collide: the app's writers draft, a trainer ingests from a terminal and replies
are saved from two app processes at the same time, and nothing is lost or raised."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import yaml

from assistant.cli import main
from assistant.drafting import draft_replies
from assistant.history import History
from assistant.ingest import open_store
from assistant.knowledge.saved_replies import SAVED_FILE, save_pending_reply

COMMENTS = [
    "Курьер опоздал на 5 часов и нагрубил мне",
    "Пришла не та футболка, размер M вместо L",
    "Когда вернут деньги за отменённый заказ?",
    "The courier was 3 hours late and rude",
    "Спасибо, всё пришло быстро, очень довольна!",
]

SAVER = """
import sys
from pathlib import Path
from assistant.knowledge.saved_replies import save_pending_reply
for i in range(int(sys.argv[2])):
    save_pending_reply(Path(sys.argv[1]), f"comment {sys.argv[3]}-{i}", f"reply {sys.argv[3]}-{i}",
                       "instagram", "ru", "general_conduct")
"""


def _env(settings) -> dict:
    return {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
    }


def _saver(settings, count: int, tag: str) -> subprocess.Popen:
    code = [sys.executable, "-c", SAVER, str(settings.knowledge_dir), str(count), tag]
    return subprocess.Popen(code, env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _saved(settings) -> list[dict]:
    return yaml.safe_load((settings.knowledge_dir / SAVED_FILE).read_text(encoding="utf-8")) or []


def test_two_processes_and_threads_saving_replies_lose_none(settings):
    others = [_saver(settings, 25, "a"), _saver(settings, 25, "b")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(
            pool.map(
                lambda i: save_pending_reply(
                    settings.knowledge_dir, f"comment t-{i}", f"reply t-{i}", "instagram", "ru", "general_conduct"
                ),
                range(20),
            )
        )
    for process in others:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    saved = _saved(settings)
    assert len(saved) == 70
    assert len({entry["id"] for entry in saved}) == 70
    assert set(ids) <= {entry["id"] for entry in saved}


def test_twenty_drafts_an_ingest_and_two_savers_at_once(indexed_copy):
    """What a busy afternoon looks like: 20 drafts through the one store the app shares, a trainer's
    ingest from the terminal (which rewrites the index under it), and writers of two app processes
    saving replies."""
    settings = indexed_copy
    store = open_store(settings)  # the app's one store for every writer
    policy = settings.knowledge_dir / "policies" / "delivery_delay.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n\nЕсли курьер опоздал, звоним вам сами.\n", "utf-8")
    history = History(settings.data_dir)
    before = len(history.recent(limit=10_000))  # the copied demo data may hold runs of earlier tests

    def one_draft(i: int) -> int:
        result = draft_replies(COMMENTS[i % len(COMMENTS)], settings, channel="instagram", n=2, store=store)
        assert result.drafts
        return history.record_run(result)

    ingest = subprocess.Popen(
        [sys.executable, "-c", "from assistant.cli import main; raise SystemExit(main())", "ingest"],
        env=_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    savers = [_saver(settings, 10, "app1"), _saver(settings, 10, "app2")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        run_ids = list(pool.map(one_draft, range(20)))
    outputs = [process.communicate(timeout=300) for process in [ingest, *savers]]
    for process, (_, err) in zip([ingest, *savers], outputs, strict=True):
        assert process.returncode == 0, err
    assert "1 embedded" in outputs[0][0]

    assert len(set(run_ids)) == 20
    assert len(history.recent(limit=10_000)) == before + 20
    assert len(_saved(settings)) == 20
    # the store still answers, and serves the trainer's new paragraph
    assert store.query("курьер опоздал", k=3)
    assert store.sync_warning() is None
    texts = store.collection.get(where={"source": "policies/delivery_delay.md"})["documents"]
    assert any("звоним вам сами" in text for text in texts)


def test_a_locked_history_keeps_the_drafts_and_says_why(indexed_copy, monkeypatch, capsys):
    settings = indexed_copy
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    monkeypatch.setattr(History, "BUSY_TIMEOUT_S", 0.3)
    History(settings.data_dir)
    holder = sqlite3.connect(settings.data_dir / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the history
    try:
        code = main(["draft", "--offline", "--n", "1", "Курьер опоздал на 5 часов и нагрубил мне"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "=== draft 1" in out  # the draft is printed all the same
    assert "could not record the run" in err and "another program holds it" in err
