"""A small file beside the embedded index that says whether an ingest is running, finished, or
was cut short, and changes whenever any process syncs.

chromadb's embedded engine keeps its own view of the index in memory and does not notice another
process rewriting the files: a store open in the app would go on answering from the old view,
or fail outright. A stat of this file tells it cheaply that it must read the index afresh, and
its content tells a reader that the index it serves may be partial."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MARKER = "assistant-sync.json"


@dataclass(frozen=True)
class SyncState:
    state: str  # running | done | unknown (no marker: an index made before markers, or by hand)
    pid: int = 0
    host: str = ""
    at: str = ""

    @property
    def ours(self) -> bool:
        return self.pid == os.getpid() and self.host == socket.gethostname()

    @property
    def alive(self) -> bool:
        """Whether the process that started the sync still runs (only knowable on this machine)."""
        if self.host != socket.gethostname():
            return True  # another machine's ingest: assume it runs
        if self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def warning(self) -> str | None:
        if self.state != "running":
            return None
        if self.alive:
            return "an ingest is running: until it ends, drafts may miss policies or examples it is adding"
        return (
            f"the last ingest (started {self.at}) did not finish: the index may be incomplete; "
            "run `assistant ingest` to complete it"
        )


def marker_path(chroma_dir: Path) -> Path:
    return Path(chroma_dir) / MARKER


def signature(chroma_dir: Path) -> tuple[int, int] | None:
    """Changes whenever a sync starts or ends, in any process."""
    try:
        info = marker_path(chroma_dir).stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def read(chroma_dir: Path) -> SyncState:
    try:
        data = json.loads(marker_path(chroma_dir).read_text(encoding="utf-8"))
        return SyncState(
            str(data["state"]), int(data.get("pid", 0)), str(data.get("host", "")), str(data.get("at", ""))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return SyncState("unknown")


def write(chroma_dir: Path, state: str) -> None:
    path = marker_path(chroma_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "state": state,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "nonce": os.urandom(4).hex(),  # two syncs in one clock tick still change the file
    }
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record), encoding="utf-8")
    temporary.replace(path)
