"""What writers did with the drafts: every run, the edits, and the text that was sent, in SQLite
under the data directory. It tells trainers which drafts are kept as they are and which are
rewritten, and gives QA real examples."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    comment TEXT NOT NULL,
    channel TEXT,
    drafter TEXT NOT NULL,
    topic TEXT,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    created TEXT NOT NULL,
    kind TEXT NOT NULL,          -- edited | kept
    variant INTEGER NOT NULL,
    text TEXT NOT NULL
);
"""


class HistoryError(RuntimeError):
    """The history could not be read or written; drafts are never lost for it, only not recorded."""


class History:
    """Several writers (app sessions, CLI runs, other app processes) share one database: it runs
    in WAL mode so readers never block a writer, and a writer waits up to BUSY_TIMEOUT_S for
    another before giving up with HistoryError, which callers show as a warning."""

    BUSY_TIMEOUT_S = 30.0

    def __init__(self, data_dir: Path) -> None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(data_dir) / "history.sqlite3"
        with self._guarded("open"), closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.BUSY_TIMEOUT_S)
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def _guarded(self, action: str):
        try:
            yield
        except sqlite3.Error as error:
            busy = "locked" in str(error) or "busy" in str(error)
            why = "another program holds it" if busy else "it cannot be read or written"
            raise HistoryError(
                f"could not {action} the history in {self.path} ({error}: {why}); nothing else was lost. "
                + ("Close the program that holds it, or try again." if busy else "Check the file and its folder.")
            ) from error

    def record_run(self, result) -> int:
        data = result.to_dict()
        with self._guarded("record the run in"), closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO runs (created, comment, channel, drafter, topic, result) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    result.comment,
                    result.channel,
                    result.drafter,
                    result.triage.topic,
                    json.dumps(data, ensure_ascii=False),
                ),
            )
            return int(cursor.lastrowid)

    def record_edit(self, run_id: int, variant: int, text: str) -> None:
        self._event(run_id, "edited", variant, text)

    def mark_kept(self, run_id: int, variant: int, text: str) -> None:
        self._event(run_id, "kept", variant, text)

    def _event(self, run_id: int, kind: str, variant: int, text: str) -> None:
        with self._guarded(f"record the {kind} text in"), closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO events (run_id, created, kind, variant, text) VALUES (?, ?, ?, ?, ?)",
                (run_id, _now(), kind, variant, text),
            )

    def recent(self, limit: int = 50, channel: str | None = None, kept_only: bool = False) -> list[dict]:
        query = (
            "SELECT r.id, r.created, r.comment, r.channel, r.drafter, r.topic, "
            "(SELECT text FROM events e WHERE e.run_id = r.id AND e.kind = 'kept' ORDER BY e.id DESC LIMIT 1) "
            "AS kept_text, (SELECT variant FROM events e WHERE e.run_id = r.id AND e.kind = 'kept' "
            "ORDER BY e.id DESC LIMIT 1) AS kept_variant FROM runs r"
        )
        conditions, params = [], []
        if channel:
            conditions.append("r.channel = ?")
            params.append(channel)
        if kept_only:
            conditions.append("EXISTS (SELECT 1 FROM events e WHERE e.run_id = r.id AND e.kind = 'kept')")
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY r.id DESC LIMIT ?"
        with self._guarded("read"), closing(self._connect()) as db:
            return [dict(row) for row in db.execute(query, (*params, limit))]

    def run(self, run_id: int) -> dict | None:
        with self._guarded("read"), closing(self._connect()) as db:
            row = db.execute("SELECT result FROM runs WHERE id = ?", (run_id,)).fetchone()
            return json.loads(row["result"]) if row else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
