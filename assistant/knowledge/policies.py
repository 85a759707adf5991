"""Read policy files: Markdown with optional front matter, split into sections by headings."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import yaml_lines
from .records import Policy, PolicySection, Problem

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER_KEYS = ("topic", "title", "tags", "channels", "lang")


def load_policy(
    path: Path, shown_as: Path, topics: dict[str, str], channels: tuple[str, ...]
) -> tuple[Policy | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(line: int | None, message: str, hint: str = "", severity: str = "error") -> None:
        problems.append(Problem(shown_as, line, message, hint, severity))

    text = path.read_text(encoding="utf-8")
    meta, body, body_start = _split_front_matter(text, problem)
    if meta is None:
        return None, problems

    topic = str(meta.get("topic") or path.stem)
    if topics and topic not in topics:
        problem(
            meta.line_of("topic") if meta else 1,
            f'unknown topic "{topic}"',
            f"use one of: {', '.join(topics)}, or add the topic to brand.yaml",
        )
    listed_channels = meta.get("channels") or list(channels)
    unknown = [c for c in listed_channels if c not in channels]
    if unknown:
        problem(meta.line_of("channels"), f"unknown channels {unknown}", f"known channels: {', '.join(channels)}")
    for key in meta:
        if key not in _FRONT_MATTER_KEYS:
            problem(
                meta.line_of(key),
                f'unknown front matter key "{key}"',
                f"known keys: {', '.join(_FRONT_MATTER_KEYS)}",
                severity="warning",
            )

    sections = _sections(body, body_start)
    title = str(meta.get("title") or _first_heading(sections) or path.stem)
    if not sections:
        problem(body_start, "the policy has no text", "write the policy under a # heading")
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Policy(
        path=shown_as,
        topic=topic,
        title=title,
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        channels=tuple(listed_channels),
        lang=str(meta.get("lang", "ru")),
        sections=tuple(sections),
    ), problems


def _split_front_matter(text: str, problem) -> tuple[yaml_lines.LineDict | None, str, int]:
    """Front matter (empty if absent), the body, and the body's first line number."""
    lines = text.splitlines()
    empty = yaml_lines.LineDict()
    empty.line, empty.key_lines = 1, {}
    if not lines or lines[0].strip() != "---":
        return empty, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problem(1, "the front matter is not closed", 'add a line with "---" after the topic/title/tags lines')
        return None, "", 1
    try:
        meta = yaml_lines.load("\n".join(lines[1:end])) or empty
    except yaml.YAMLError as error:
        problem(
            yaml_lines.error_line(error, offset=1),
            f"front matter is not valid YAML: {yaml_lines.error_text(error)}",
            "write it as key: value lines, lists as [a, b]",
        )
        return None, "", 1
    if not isinstance(meta, yaml_lines.LineDict):
        problem(2, "front matter must be key: value lines")
        return None, "", 1
    meta.line += 1
    meta.key_lines = {k: v + 1 for k, v in meta.key_lines.items()}
    return meta, "\n".join(lines[end + 1 :]), end + 2


def _sections(body: str, first_line: int) -> list[PolicySection]:
    sections: list[PolicySection] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = first_line
    in_fence = False

    def flush() -> None:
        text = "\n".join(buffer).strip()
        if text:
            sections.append(PolicySection(tuple(h for _, h in path), text, start))

    for number, line in enumerate(body.splitlines(), start=first_line):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level, heading = len(match.group(1)), match.group(2)
            path = [(lvl, h) for lvl, h in path if lvl < level] + [(level, heading)]
            buffer, start = [], number
            continue
        if not buffer:
            start = number
        buffer.append(line)
    flush()
    return sections


def _first_heading(sections: list[PolicySection]) -> str | None:
    return sections[0].heading_path[0] if sections and sections[0].heading_path else None
