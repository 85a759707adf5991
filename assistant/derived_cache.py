"""Data a process derives from installed files and would otherwise rebuild at every start, kept on
disk between runs.

Building the USE encoder (its tokenizer is a pure-Python table of 128k pieces, its weights are
dequantized from a compressed file) took 1.6 s of the 2 s that `assistant check --text ok` spent;
read back from here it takes ~0.2 s. An entry is stored with the key of what it was built from (a
package version) and is rebuilt when the key differs, when it cannot be read, or when the caller's
check of it fails. A folder that cannot be written (a read-only home) only costs the rebuild.

The folder: `ASSISTANT_CACHE_DIR`, else `$XDG_CACHE_HOME/reply-assistant`, else
`~/.cache/reply-assistant`. Deleting it is always safe.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

CACHE_ENV = "ASSISTANT_CACHE_DIR"
FORMAT = 1  # bump when what is stored changes shape

T = TypeVar("T")


def cache_dir() -> Path:
    named = os.environ.get(CACHE_ENV)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reply-assistant"


def load_or_build(name: str, key: str, build: Callable[[], T], valid: Callable[[T], bool] | None = None) -> T:
    """The entry `name` if it was built under `key` (and `valid` accepts it), else `build()`, stored
    for the next run."""
    path = cache_dir() / f"{name}.pickle"
    stamp = f"{FORMAT}:{key}"
    try:
        with path.open("rb") as file:
            stored_stamp, value = pickle.load(file)  # noqa: S301 - our own file, in the user's own cache
        if stored_stamp == stamp and (valid is None or valid(value)):
            return value
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        pass  # absent, unreadable or from another version: rebuilt below
    value = build()
    _store(path, stamp, value)
    return value


def _store(path: Path, stamp: str, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as file:
            written = Path(file.name)
            pickle.dump((stamp, value), file, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        return  # a folder that cannot be written: the next run builds again
    try:
        os.replace(written, path)  # readers see the old entry or the new one, never half of one
    except OSError:
        written.unlink(missing_ok=True)
