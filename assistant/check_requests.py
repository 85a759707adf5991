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


def read_requests(lines: Iterable[str], source: str = "<stdin>") -> tuple[list[CheckRequest], list[str]]:
    requests, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
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
