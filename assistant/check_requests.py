"""Replies to check, read from JSON Lines: `{id, reply, comment?, channel?, lang?}` per line.

A malformed line is reported with its number and skipped; the rest is checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

FIELDS = ("id", "reply", "comment", "channel", "lang")


@dataclass(frozen=True)
class CheckRequest:
    id: object  # as given (a number stays a number), or the line number
    reply: str
    comment: str | None = None
    channel: str | None = None
    lang: str | None = None
    line: int = 0


def decode_lines(raw: bytes, source: str) -> tuple[list[str | None], list[str]]:
    """The lines of a JSON Lines file as text; a line that is not UTF-8 is None, reported with its
    number and where the bad byte is, so one bad line does not stop the others."""
    lines: list[str | None] = []
    problems = []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            lines.append(chunk.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as error:
            lines.append(None)
            problems.append(
                f"{source}:{number}: not valid UTF-8 (byte 0x{chunk[error.start]:02x} at column {error.start + 1}); "
                "skipped: save the file as UTF-8"
            )
    return lines, problems


def read_requests(
    lines: Iterable[str | None], source: str = "<stdin>", known_channel=None
) -> tuple[list[CheckRequest], list[str]]:
    """`known_channel(channel)` says what is wrong with a channel (None when it is known)."""
    requests, problems = [], []
    for number, line in enumerate(lines, start=1):
        if line is None or not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{source}:{number}: not valid JSON ({error.msg}); skipped")
            continue
        if not isinstance(data, dict):
            problems.append(f'{source}:{number}: expected an object like {{"id": 1, "reply": "..."}}; skipped')
            continue
        reply = data.get("reply")
        if not isinstance(reply, str) or not reply.strip():
            problems.append(f'{source}:{number}: "reply" is missing or empty; skipped')
            continue
        wrong = [k for k in ("comment", "channel", "lang") if data.get(k) is not None and not isinstance(data[k], str)]
        if wrong:
            problems.append(f"{source}:{number}: {', '.join(wrong)} must be text; skipped")
            continue
        channel_problem = known_channel(data.get("channel")) if known_channel else None
        if channel_problem:
            problems.append(f"{source}:{number}: {channel_problem}; skipped")
            continue
        if language_problem := unsupported_language(data.get("lang")):
            problems.append(f"{source}:{number}: {language_problem}; skipped")
            continue
        requests.append(
            CheckRequest(
                id=data.get("id", number),
                reply=reply,
                comment=data.get("comment"),
                channel=data.get("channel"),
                lang=data.get("lang"),
                line=number,
            )
        )
    return requests, problems


def unsupported_language(lang: str | None) -> str | None:
    """A language the checker has no rules for would be checked as another one and pass wrongly."""
    from .languages import is_supported, supported_codes

    if lang is None or is_supported(lang):
        return None
    return f"language {lang!r} is not supported (use one of: {', '.join(supported_codes())}, or leave it out)"
