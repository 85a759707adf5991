"""Read `brand.yaml`: the voice, channels and the commitments a reply may make."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import yaml_lines
from .records import LANGUAGES, Brand, Channel, Commitment, Problem
from .yaml_lines import LineDict

REQUIRED = ("name", "sign_off", "dm_invitations", "channels", "commitments", "topics")
_LIMITS = ("takes_days", "takes_hours", "window_days", "max_percent", "max_amount")


def load_brand(path: Path, shown_as: Path) -> tuple[Brand | None, list[Problem]]:
    """The brand, or None when the file cannot be read at all; problems either way."""
    problems: list[Problem] = []

    def problem(line: int | None, message: str, hint: str = "", severity: str = "error") -> None:
        problems.append(Problem(shown_as, line, message, hint, severity))

    if not path.is_file():
        problem(None, "brand.yaml is missing", "copy the demo knowledge/brand.yaml and edit it")
        return None, problems
    if path.stat().st_size > 2_000_000:
        problem(None, "brand.yaml is over 2,000,000 bytes, far more than any brand needs", "restore the demo file")
        return None, problems
    try:
        data = yaml_lines.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problem(
            yaml_lines.error_line(error),
            f"not valid YAML: {yaml_lines.error_text(error)}",
            "check the indentation and quotes on that line",
        )
        return None, problems
    if not isinstance(data, LineDict):
        problem(1, "brand.yaml must be a mapping of settings (name:, channels:, ...)")
        return None, problems

    for key in REQUIRED:
        if key not in data:
            problem(1, f'the setting "{key}" is missing', "see the demo brand.yaml for its shape")

    channels = _channels(data.get("channels"), data.line_of("channels"), problem)
    topics = {str(k): str(v) for k, v in (data.get("topics") or {}).items()}
    brand = Brand(
        name=str(data.get("name", "")),
        name_en=str(data.get("name_en", data.get("name", ""))),
        description=str(data.get("description", "")).strip(),
        voice=_localized(data.get("voice")),
        sign_off=_localized(data.get("sign_off")),
        dm_invitations=_localized_lists(data.get("dm_invitations"), data.line_of("dm_invitations"), problem),
        channels=channels,
        never_say=_localized_lists(data.get("never_say"), data.line_of("never_say"), problem),
        commitments=_commitments(data.get("commitments"), data.line_of("commitments"), topics, problem),
        topics=topics,
    )
    return brand, problems


def _localized(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(lang): str(text).strip() for lang, text in value.items()}
    if value is None:
        return {}
    return {lang: str(value).strip() for lang in LANGUAGES}


def _localized_lists(value: object, line: int, problem) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if isinstance(value, list):
        value = {lang: value for lang in LANGUAGES}
    if not isinstance(value, dict):
        problem(line, "expected a list of phrases per language (ru:, en:)")
        return {}
    result = {}
    for lang, phrases in value.items():
        at = value.line_of(lang) if isinstance(value, LineDict) else line
        if not isinstance(phrases, list):
            problem(at, f'"{lang}" must be a list of phrases', 'write each phrase on its own "- " line')
            continue
        bad = [p for p in phrases if not (isinstance(p, str) and p.strip())]
        if bad:
            where = bad[0].line if isinstance(bad[0], LineDict) else at
            hint = (
                'a phrase with ": " inside must be in "double quotes"'
                if isinstance(bad[0], dict)
                else "remove empty phrases"
            )
            problem(where, f'"{lang}" has a phrase that is not plain text', hint)
            phrases = [p for p in phrases if p not in bad]
        result[str(lang)] = tuple(p.strip() for p in phrases)
    return result


def _channels(value: object, line: int, problem) -> dict[str, Channel]:
    if not isinstance(value, dict):
        problem(line, "channels must be a mapping of channel name to its settings")
        return {}
    channels = {}
    for name, spec in value.items():
        at = value.line_of(name) if isinstance(value, LineDict) else line
        if not isinstance(spec, dict):
            problem(at, f'channel "{name}" must have settings (title:, max_chars:)')
            continue
        max_chars = spec.get("max_chars")
        if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars <= 0:
            problem(
                at,
                f'channel "{name}" needs max_chars: a positive whole number of characters',
                "for example max_chars: 2200",
            )
            continue
        dm = spec.get("dm") or {}
        channels[str(name)] = Channel(
            name=str(name),
            title=str(spec.get("title", name)),
            max_chars=max_chars,
            dm=_localized(dm),
        )
    return channels


def _commitments(value: object, line: int, topics: dict[str, str], problem) -> tuple[Commitment, ...]:
    if not isinstance(value, list):
        problem(line, "commitments must be a list of entries with kind: and their limits")
        return ()
    result = []
    kinds = set()
    for entry in value:
        at = entry.line if isinstance(entry, LineDict) else line
        if not isinstance(entry, dict) or not entry.get("kind"):
            problem(at, "a commitment needs a kind", "for example: - kind: refund")
            continue
        kind = str(entry["kind"])
        if kind in kinds:
            problem(at, f'the commitment "{kind}" is listed twice', "keep one entry per kind")
            continue
        limits = {}
        bad = False
        for key in _LIMITS:
            raw = entry.get(key)
            if raw is None:
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
                problem(entry.line_of(key), f'{kind}: {key} must be a positive number, not "{raw}"')
                bad = True
            limits[key] = raw
        unknown_topics = [t for t in entry.get("topics") or () if topics and t not in topics]
        if unknown_topics:
            problem(
                entry.line_of("topics"),
                f"{kind}: unknown topics {unknown_topics}",
                f"known topics: {', '.join(topics)}",
            )
            bad = True
        if bad:
            continue
        kinds.add(kind)
        result.append(
            Commitment(
                kind=kind,
                description=str(entry.get("description", "")),
                topics=tuple(entry.get("topics") or ()),
                **limits,
            )
        )
    return tuple(result)
