"""Load `knowledge/` into typed records; report each problem with file, line and a fix hint.

A file (or a reply entry) with an error is skipped and the rest still loads, so one trainer's
typo never takes the whole knowledge base down.
"""

from __future__ import annotations

from pathlib import Path

from .brand import load_brand
from .policies import load_policy
from .records import (
    COMPLAINER_TYPES,
    DEFAULT_CHANNELS,
    LANGUAGES,
    SENTIMENTS,
    Brand,
    Channel,
    Commitment,
    Knowledge,
    Policy,
    PolicySection,
    Problem,
    Reply,
)
from .replies import load_replies

__all__ = [
    "COMPLAINER_TYPES",
    "DEFAULT_CHANNELS",
    "LANGUAGES",
    "SENTIMENTS",
    "Brand",
    "Channel",
    "Commitment",
    "Knowledge",
    "Policy",
    "PolicySection",
    "Problem",
    "Reply",
    "known_channels",
    "load_knowledge",
    "unknown_channel",
]

REPLY_SUFFIXES = (".yaml", ".yml", ".csv")


def known_channels(brand: Brand | None) -> tuple[str, ...]:
    return tuple(brand.channels) if brand and brand.channels else DEFAULT_CHANNELS


def unknown_channel(channel: str | None, brand: Brand | None) -> str | None:
    """What to tell the writer when a channel is not one of the brand's: its policies and length limit
    would silently not apply, and the draft would still "pass". None when it is known (or not given)."""
    if channel is None or channel in known_channels(brand):
        return None
    return f"unknown channel {channel!r}: the brand's channels are {', '.join(known_channels(brand))} (brand.yaml)"


def load_knowledge(root: Path) -> Knowledge:
    root = Path(root)
    if not root.is_dir():
        problem = Problem(
            root,
            None,
            "the knowledge folder does not exist",
            "set ASSISTANT_KNOWLEDGE_DIR or run from the project folder",
        )
        return Knowledge(None, [], [], [problem], root)

    brand, problems = load_brand(root / "brand.yaml", root / "brand.yaml")
    topics = brand.topics if brand else {}
    channels = known_channels(brand)

    policies = []
    for path in sorted((root / "policies").glob("*.md")):
        policy, found = _guarded(path, lambda p=path: load_policy(p, p, topics, channels))
        problems += found
        if policy is not None:
            policies.append(policy)

    replies: list[Reply] = []
    seen_ids: dict[str, str] = {}
    reply_files = sorted(p for p in (root / "replies").glob("*") if p.suffix in REPLY_SUFFIXES)
    for path in reply_files:
        loaded, found = _guarded(path, lambda p=path: load_replies(p, p, topics, channels, seen_ids), [])
        problems += found
        replies += loaded
    return Knowledge(brand, policies, replies, problems, root)


MAX_FILE_BYTES = 2_000_000  # far beyond any policy or reply file; a bigger one is a mistake or an attack


def _guarded(path: Path, load, empty=None):
    """Turn an unreadable file (bad encoding, permissions, far too big) into a problem instead of a crash."""
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            return empty, [
                Problem(
                    path,
                    None,
                    f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,} a knowledge file may have",
                    "split it into several files, one topic each",
                )
            ]
        return load()
    except UnicodeDecodeError as error:
        return empty, [Problem(path, None, f"not UTF-8 text ({error.reason})", "save the file as UTF-8")]
    except OSError as error:
        return empty, [Problem(path, None, f"cannot read the file: {error.strerror}")]
