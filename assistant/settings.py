"""Every knob of Reply Assistant in one place.

Values come from, in order of precedence: environment variables, an optional settings file
(`assistant.toml` in the working directory, or the file named by `ASSISTANT_SETTINGS`), and
defaults that work with no network and no API key.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS_FILE_ENV = "ASSISTANT_SETTINGS"
DEFAULT_SETTINGS_FILE = "assistant.toml"
EMBEDDING_BACKENDS = ("e5", "openai")


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".assistant-data")
    knowledge_dir: Path = Path("knowledge")
    prompts_dir: Path = Path("prompts")
    embedding_backend: str = "e5"
    openai_embedding_model: str = "text-embedding-3-small"
    chroma_host: str | None = None
    chroma_port: int = 8000
    store_timeout_s: float = 10.0  # one call to a Chroma server; a hung server must not hang a draft
    collection_prefix: str = "knowledge"
    llm_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    llm_timeout_s: float = 30.0  # the longest wait for the server's next bytes
    llm_max_retries: int = 2
    llm_deadline_s: float = 60.0  # one model call, retries and streaming included
    draft_deadline_s: float = 90.0  # one draft request: every variant and its revision
    llm_max_output_tokens: int = 800  # a reply is a few hundred tokens; a model that runs on is stopped
    max_prompt_tokens: int = 6000  # everything sent in one drafting request: instructions, sources, comment
    llm_triage: bool = True  # refine the offline triage with the LLM when one is configured
    llm_cache: bool = False  # keep every LLM answer on disk by its exact request (eval runs turn this on)
    embedding_timeout_s: float = 30.0
    chunk_tokens: int = 256
    chunk_overlap_tokens: int = 32
    max_comment_chars: int = 3000  # a longer comment is cut (with a note) before it reaches any prompt
    encoder_threads: int = 0  # the most threads one e5 call takes; 0: the cores free when it starts

    def __repr__(self) -> str:
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "openai_api_key":
                value = mask_secret(value)
            elif f.name == "openai_base_url":
                value = public_url(value)
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def llm_configured(self) -> bool:
        """An LLM is used when there is a key, or a base URL of a local server that needs none."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.data_dir / "tiktoken"

    @property
    def llm_cache_dir(self) -> Path:
        return self.data_dir / "llm-cache"


_SECRET_PARAMETER = re.compile(r"key|token|secret|passw|auth|sig|credential", re.I)


def public_url(url: str | None) -> str | None:
    """The URL without the credentials it may carry (`user:password@`, `?api_key=…`), to show on a
    page, in a log or in an error: a server URL is often pasted with its key inside."""
    if not url:
        return url
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an unreadable URL)"
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    if parts.username or parts.password:
        netloc = f"***@{netloc}"
    query = urllib.parse.urlencode(
        [(k, "***" if _SECRET_PARAMETER.search(k) else v) for k, v in urllib.parse.parse_qsl(parts.query, True)],
        safe="*",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def mask_secret(value: str | None) -> str | None:
    """Show that a secret is set without showing it."""
    if not value:
        return value
    return f"{value[:3]}…({len(value)} chars)" if len(value) > 8 else "***"


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


# Environment variable -> (settings field, converter)
_ENV = {
    "ASSISTANT_DATA_DIR": ("data_dir", Path),
    "ASSISTANT_KNOWLEDGE_DIR": ("knowledge_dir", Path),
    "ASSISTANT_PROMPTS_DIR": ("prompts_dir", Path),
    "ASSISTANT_EMBEDDINGS": ("embedding_backend", str),
    "ASSISTANT_OPENAI_EMBEDDING_MODEL": ("openai_embedding_model", str),
    "CHROMA_HOST": ("chroma_host", str),
    "CHROMA_PORT": ("chroma_port", int),
    "ASSISTANT_STORE_TIMEOUT": ("store_timeout_s", float),
    "ASSISTANT_COLLECTION_PREFIX": ("collection_prefix", str),
    "ASSISTANT_LLM_MODEL": ("llm_model", str),
    "OPENAI_BASE_URL": ("openai_base_url", str),
    "OPENAI_API_KEY": ("openai_api_key", str),
    "ASSISTANT_LLM_TIMEOUT": ("llm_timeout_s", float),
    "ASSISTANT_LLM_MAX_RETRIES": ("llm_max_retries", int),
    "ASSISTANT_LLM_DEADLINE": ("llm_deadline_s", float),
    "ASSISTANT_DRAFT_DEADLINE": ("draft_deadline_s", float),
    "ASSISTANT_LLM_MAX_OUTPUT_TOKENS": ("llm_max_output_tokens", int),
    "ASSISTANT_MAX_PROMPT_TOKENS": ("max_prompt_tokens", int),
    "ASSISTANT_LLM_TRIAGE": ("llm_triage", _boolean),
    "ASSISTANT_LLM_CACHE": ("llm_cache", _boolean),
    "ASSISTANT_EMBEDDING_TIMEOUT": ("embedding_timeout_s", float),
    "ASSISTANT_CHUNK_TOKENS": ("chunk_tokens", int),
    "ASSISTANT_CHUNK_OVERLAP_TOKENS": ("chunk_overlap_tokens", int),
    "ASSISTANT_MAX_COMMENT_CHARS": ("max_comment_chars", int),
    "ASSISTANT_ENCODER_THREADS": ("encoder_threads", int),
}
_CONVERTERS = {name: conv for name, conv in _ENV.values()}


def load_settings(env: Mapping[str, str] | None = None, settings_file: Path | None = None) -> Settings:
    """Build the settings from the environment and the optional settings file."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    named = settings_file or env.get(SETTINGS_FILE_ENV)  # "" means: no settings file at all
    path = Path(named) if named else (None if named == "" else Path(DEFAULT_SETTINGS_FILE))
    if path is not None and path.is_file():
        values.update(_read_settings_file(path))
    elif named:
        raise SettingsError(f"{path}: settings file not found (set {SETTINGS_FILE_ENV} to an existing file)")
    for var, (name, _) in _ENV.items():
        raw = env.get(var)
        if raw is not None and raw.strip() != "":
            values[name] = _convert(name, raw.strip(), f"environment variable {var}")
    if "prompts_dir" not in values and not Path("prompts").is_dir():
        # run from another folder: the prompts are the project's, not the writer's data
        values["prompts_dir"] = Path(__file__).resolve().parent.parent / "prompts"
    settings = Settings(**values)
    _validate(settings)
    return settings


def _read_settings_file(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from error
    values: dict[str, object] = {}
    for key, raw in data.items():
        if key not in _CONVERTERS:
            known = ", ".join(sorted(_CONVERTERS))
            raise SettingsError(f"{path}: unknown setting {key!r} (known: {known})")
        values[key] = _convert(key, raw, f"{path}: {key}")
    return values


def _convert(name: str, raw: object, where: str) -> object:
    try:
        return _CONVERTERS[name](raw)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{where}: cannot use {raw!r} ({error})") from error


def _validate(settings: Settings) -> None:
    if settings.embedding_backend not in EMBEDDING_BACKENDS:
        raise SettingsError(
            f"embedding backend {settings.embedding_backend!r} is unknown; "
            f"set ASSISTANT_EMBEDDINGS to one of: {', '.join(EMBEDDING_BACKENDS)}"
        )
    if settings.embedding_backend == "openai" and not settings.llm_configured:
        raise SettingsError(
            "ASSISTANT_EMBEDDINGS=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL of a compatible server)"
        )
    if settings.chunk_overlap_tokens >= settings.chunk_tokens:
        raise SettingsError("ASSISTANT_CHUNK_OVERLAP_TOKENS must be smaller than ASSISTANT_CHUNK_TOKENS")
    for name, var in (
        ("llm_timeout_s", "ASSISTANT_LLM_TIMEOUT"),
        ("llm_deadline_s", "ASSISTANT_LLM_DEADLINE"),
        ("draft_deadline_s", "ASSISTANT_DRAFT_DEADLINE"),
        ("store_timeout_s", "ASSISTANT_STORE_TIMEOUT"),
    ):
        if not getattr(settings, name) > 0:
            raise SettingsError(f"{var} must be a positive number of seconds")
    if settings.max_prompt_tokens < 1000:
        raise SettingsError(
            "ASSISTANT_MAX_PROMPT_TOKENS must be at least 1000 (the instructions alone need most of it)"
        )
    if settings.llm_max_output_tokens < 50:
        raise SettingsError("ASSISTANT_LLM_MAX_OUTPUT_TOKENS must be at least 50 (a reply needs room)")
    if not Path(settings.prompts_dir).is_dir():
        raise SettingsError(f"prompts folder {settings.prompts_dir} not found: set ASSISTANT_PROMPTS_DIR to it")
    if settings.max_comment_chars < 200:
        raise SettingsError("ASSISTANT_MAX_COMMENT_CHARS must be at least 200 (a comment's first words matter)")
    if settings.encoder_threads < 0:
        raise SettingsError("ASSISTANT_ENCODER_THREADS must be 0 (the cores free at each call) or a number of threads")
