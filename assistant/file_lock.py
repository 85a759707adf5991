"""A lock on a file that holds across processes: two app servers (or the app and a script) that
append to the same knowledge file must take turns, or one's write silently replaces the other's."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

_in_process = threading.Lock()  # flock does not exclude threads of one process sharing a file


@contextmanager
def locked(path: Path, timeout_s: float = 30.0) -> Iterator[None]:
    """Hold `<path>.lock` while the body runs; TimeoutError (saying which file) after `timeout_s`."""
    lock_path = Path(path).with_name(Path(path).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    if not _in_process.acquire(timeout=timeout_s):
        raise TimeoutError(f"{path} is being written by this program for over {timeout_s:g}s; try again")
    try:
        with open(lock_path, "a+b") as handle:
            while not _try_lock(handle):
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{path} is held by another program for over {timeout_s:g}s; try again, "
                        f"or delete {lock_path.name} if no other Reply Assistant is running"
                    )
                time.sleep(0.02)
            try:
                yield
            finally:
                _unlock(handle)
    finally:
        _in_process.release()


def _try_lock(handle) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(handle) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    else:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def process_unique() -> str:
    """A suffix that two processes saving in the same microsecond do not share."""
    return f"{os.getpid():x}{threading.get_ident() % 0xFFFF:04x}"
