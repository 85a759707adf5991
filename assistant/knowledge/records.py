"""Typed records of what trainers write in `knowledge/`, and the problems found in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..languages import supported_codes

DEFAULT_CHANNELS = ("instagram", "vk", "telegram", "marketplace", "email")
LANGUAGES = supported_codes()
SENTIMENTS = ("negative", "neutral", "positive", "question")
COMPLAINER_TYPES = ("meek", "aggressive", "high_roller", "opportunist", "chronic", "troll", "none")
REPLY_STATUSES = ("approved", "pending")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file, said so a trainer can fix it."""

    path: Path
    line: int | None
    message: str
    hint: str = ""
    severity: str = "error"  # "error" skips the record; "warning" keeps it

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class Channel:
    name: str
    title: str
    max_chars: int
    dm: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Commitment:
    """Something the team may promise publicly, with its limits (None: no limit set).

    `takes_*` is how long it really takes (a promise may not be faster); `window_days` is how
    long the customer has (a promise may not be longer); `max_*` is the most that may be offered.
    """

    kind: str
    description: str = ""
    takes_days: float | None = None
    takes_hours: float | None = None
    window_days: float | None = None
    max_percent: float | None = None
    max_amount: float | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Brand:
    name: str
    name_en: str
    voice: dict[str, str]
    sign_off: dict[str, str]
    dm_invitations: dict[str, tuple[str, ...]]
    channels: dict[str, Channel]
    never_say: dict[str, tuple[str, ...]]
    commitments: tuple[Commitment, ...]
    topics: dict[str, str]
    description: str = ""


@dataclass(frozen=True)
class PolicySection:
    """A part of a policy under one heading; the unit that gets chunked and retrieved."""

    heading_path: tuple[str, ...]
    text: str
    line: int


@dataclass(frozen=True)
class Policy:
    path: Path
    topic: str
    title: str
    tags: tuple[str, ...]
    channels: tuple[str, ...]
    lang: str
    sections: tuple[PolicySection, ...]


@dataclass(frozen=True)
class Reply:
    """A past good reply: the customer's comment and the answer the team is proud of."""

    id: str
    channel: str
    lang: str
    topic: str
    comment: str
    reply: str
    path: Path
    line: int
    sentiment: str = "negative"
    complainer: str = "none"
    customer_name: str | None = None
    tags: tuple[str, ...] = ()
    status: str = "approved"


@dataclass
class Knowledge:
    brand: Brand | None
    policies: list[Policy]
    replies: list[Reply]
    problems: list[Problem]
    root: Path

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(self.brand.channels) if self.brand else DEFAULT_CHANNELS
