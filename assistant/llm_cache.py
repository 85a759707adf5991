"""LLM answers kept on disk by their exact request, so an eval rerun costs nothing and gives the
same drafts. The key is the model, the server and the whole rendered prompt: a changed prompt
template (and so its version), knowledge passage or comment is a new key."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def cache_key(model: str, base_url: str | None, temperature: float, system: str, user: str) -> str:
    raw = json.dumps([model, base_url or "", temperature, system, user], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def read(cache_dir: Path, key: str) -> dict | None:
    path = Path(cache_dir) / key[:2] / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # missing or half-written: ask the model again


def write(cache_dir: Path, key: str, answer: dict) -> None:
    folder = Path(cache_dir) / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"{key}.tmp"
    temporary.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    temporary.replace(folder / f"{key}.json")  # atomic: a concurrent reader sees all or nothing
