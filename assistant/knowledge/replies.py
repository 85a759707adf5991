"""Read past good replies from YAML (a list of entries) or CSV (a header row, one reply a row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import yaml

from . import yaml_lines
from .records import COMPLAINER_TYPES, LANGUAGES, REPLY_STATUSES, SENTIMENTS, Problem, Reply

REQUIRED = ("id", "channel", "lang", "topic", "comment", "reply")
OPTIONAL = ("sentiment", "complainer", "customer_name", "tags", "status")
_CHOICES = {"lang": LANGUAGES, "sentiment": SENTIMENTS, "complainer": COMPLAINER_TYPES, "status": REPLY_STATUSES}


def load_replies(
    path: Path,
    shown_as: Path,
    topics: dict[str, str],
    channels: tuple[str, ...],
    seen_ids: dict[str, str],
) -> tuple[list[Reply], list[Problem]]:
    """Every valid reply in the file; a bad entry is reported and skipped, the others load.

    `seen_ids` maps ids already loaded (from any file) to where they were, to catch duplicates.
    """
    problems: list[Problem] = []

    def problem(line: int | None, message: str, hint: str = "", severity: str = "error") -> None:
        problems.append(Problem(shown_as, line, message, hint, severity))

    text = path.read_text(encoding="utf-8")
    entries = _csv_entries(text, problem) if path.suffix == ".csv" else _yaml_entries(text, problem)
    replies = []
    for line, entry, key_line in entries:
        reply = _reply(entry, line, key_line, shown_as, topics, channels, seen_ids, problem)
        if reply is not None:
            seen_ids[reply.id] = f"{shown_as}:{line}"
            replies.append(reply)
    return replies, problems


def _yaml_entries(text: str, problem) -> Iterator[tuple[int, dict, callable]]:
    try:
        data = yaml_lines.load(text)
    except yaml.YAMLError as error:
        problem(
            yaml_lines.error_line(error),
            f"not valid YAML: {yaml_lines.error_text(error)}",
            "check the indentation and quotes on that line; the whole file was skipped",
        )
        return
    if data is None:
        problem(1, "the file is empty", "add replies or delete the file", severity="warning")
        return
    if not isinstance(data, list):
        problem(1, "expected a list of replies", 'start each reply with "- id: ..." (see the demo files)')
        return
    for item in data:
        if not isinstance(item, yaml_lines.LineDict):
            problem(None, f"an entry is not a mapping: {str(item)[:60]!r}", 'each reply starts with "- id:"')
            continue
        yield item.line, item, item.line_of


def _csv_entries(text: str, problem) -> Iterator[tuple[int, dict, callable]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        problem(1, f"the header row lacks the columns {missing}", f"the columns are: {', '.join(REQUIRED + OPTIONAL)}")
        return
    for row in reader:
        line = reader.line_num
        entry = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        if "tags" in entry:
            entry["tags"] = [t.strip() for t in entry["tags"].split(";") if t.strip()]
        yield line, entry, lambda _key, line=line: line


def _reply(entry, line, key_line, shown_as, topics, channels, seen_ids, problem) -> Reply | None:
    ok = True
    for key in REQUIRED:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            what = "is empty" if key in entry else "is missing"
            problem(
                key_line(key),
                f'reply {entry.get("id", "?")}: "{key}" {what}',
                f"every reply needs {', '.join(REQUIRED)}",
            )
            ok = False
    for key in entry:
        if key not in REQUIRED + OPTIONAL:
            problem(
                key_line(key), f'unknown field "{key}"', f"known fields: {', '.join(REQUIRED + OPTIONAL)}", "warning"
            )
    if not ok:
        return None
    reply_id = str(entry["id"]).strip()
    if reply_id in seen_ids:
        problem(
            key_line("id"), f'duplicate id "{reply_id}" (first at {seen_ids[reply_id]})', "give each reply its own id"
        )
        return None
    channel = str(entry["channel"]).strip()
    if channel not in channels:
        problem(key_line("channel"), f'"channel: {channel}" is not a known channel', f"known: {', '.join(channels)}")
        ok = False
    topic = str(entry["topic"]).strip()
    if topics and topic not in topics:
        problem(key_line("topic"), f'"topic: {topic}" is not a known topic', f"known: {', '.join(topics)}")
        ok = False
    for key, choices in _CHOICES.items():
        if key in entry and str(entry[key]).strip() not in choices:
            problem(key_line(key), f'"{key}: {entry[key]}" is not allowed', f"use one of: {', '.join(choices)}")
            ok = False
    tags = entry.get("tags") or []
    if not isinstance(tags, list):
        problem(key_line("tags"), "tags must be a list", "write tags: [a, b]")
        ok = False
    if not ok:
        return None
    status = str(entry.get("status", "approved")).strip()
    if status == "pending":
        problem(
            line, f"reply {reply_id} is pending review", 'a trainer sets "status: approved" once checked', "warning"
        )
    return Reply(
        id=reply_id,
        channel=channel,
        lang=str(entry["lang"]).strip(),
        topic=topic,
        comment=str(entry["comment"]).strip(),
        reply=str(entry["reply"]).strip(),
        path=shown_as,
        line=line,
        sentiment=str(entry.get("sentiment", "negative")).strip(),
        complainer=str(entry.get("complainer", "none")).strip(),
        customer_name=(str(entry["customer_name"]).strip() or None) if entry.get("customer_name") else None,
        tags=tuple(str(t) for t in tags),
        status=status,
    )
