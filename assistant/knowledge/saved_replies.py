"""Drafts a writer saved as good replies from the app. They land in
`knowledge/replies/from_writers.yaml` as `status: pending`: `assistant lint` lists them and the
drafting pipeline does not imitate them until a trainer approves them (status: approved)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from ..file_lock import locked, process_unique
from . import yaml_lines

SAVED_FILE = Path("replies") / "from_writers.yaml"


def save_pending_reply(
    knowledge_dir: Path,
    comment: str,
    reply: str,
    channel: str,
    lang: str,
    topic: str,
    sentiment: str | None = None,
    complainer: str | None = None,
    customer_name: str | None = None,
) -> str:
    """Append the reply as a pending example; returns its id."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    entry = {
        "id": f"writer-{stamp}-{process_unique()}",
        "channel": channel,
        "lang": lang,
        "topic": topic,
        "status": "pending",
        "comment": comment.strip(),
        "reply": reply.strip(),
    }
    if sentiment:
        entry["sentiment"] = sentiment
    if complainer:
        entry["complainer"] = complainer
    if customer_name:
        entry["customer_name"] = customer_name
    path = Path(knowledge_dir) / SAVED_FILE
    with locked(path):  # writers of this server, of another app process, or a trainer's approval
        entries = _read(path)
        entries.append(entry)
        _write(path, entries)
    return entry["id"]


def pending_replies(knowledge_dir: Path) -> list[dict]:
    return [e for e in _read(Path(knowledge_dir) / SAVED_FILE) if e.get("status") == "pending"]


def set_status(knowledge_dir: Path, reply_id: str, status: str) -> bool:
    """Approve ("approved") or drop ("rejected": the entry is removed) a saved reply."""
    path = Path(knowledge_dir) / SAVED_FILE
    with locked(path):
        entries = _read(path)
        found = any(e.get("id") == reply_id for e in entries)
        if status == "rejected":
            entries = [e for e in entries if e.get("id") != reply_id]
        else:
            for entry in entries:
                if entry.get("id") == reply_id:
                    entry["status"] = status
        if found:
            _write(path, entries)
    return found


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    data = yaml_lines.load(path.read_text(encoding="utf-8"))  # refuses aliases, like every knowledge file
    return [dict(e) if isinstance(e, dict) else e for e in data] if isinstance(data, list) else []


def _write(path: Path, entries: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Replies writers saved from the app as good examples. A trainer reviews each one and sets\n"
        '# "status: approved" (or deletes it); pending replies are not used for drafting.\n'
    )
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(header + body, encoding="utf-8")
    temporary.replace(path)
