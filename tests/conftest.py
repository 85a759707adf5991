"""Shared fixtures: real things built small (a knowledge copy, a chromadb in a temp dir, the real
embedder) and an isolated HOME/TMPDIR, since onnxruntime and chromadb write under HOME."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SANDBOX = Path(tempfile.mkdtemp(prefix="assistant-tests-"))
for name in ("home", "tmp", "data"):
    (_SANDBOX / name).mkdir()
os.environ["HOME"] = str(_SANDBOX / "home")
os.environ["TMPDIR"] = str(_SANDBOX / "tmp")
tempfile.tempdir = None  # re-read TMPDIR
os.environ["ASSISTANT_DATA_DIR"] = str(_SANDBOX / "data")
os.environ["ANONYMIZED_TELEMETRY"] = "False"
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "ASSISTANT_SETTINGS", "TIKTOKEN_CACHE_DIR"):
    os.environ.pop(var, None)

from assistant.settings import Settings  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the demo knowledge that a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    """Settings with an empty data directory and a private knowledge copy."""
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)


@pytest.fixture(scope="session")
def first_ingest(tmp_path_factory):
    """The demo knowledge ingested once into an empty store (embedding takes a while)."""
    from assistant.ingest import ingest

    base = tmp_path_factory.mktemp("indexed")
    shutil.copytree(ROOT / "knowledge", base / "knowledge")
    demo = Settings(data_dir=base / "data", knowledge_dir=base / "knowledge")
    return demo, ingest(demo, progress=False)


@pytest.fixture(scope="session")
def indexed_demo(first_ingest) -> Settings:
    """The ingested demo knowledge, for tests that only read it."""
    return first_ingest[0]


@pytest.fixture
def indexed_copy(tmp_path: Path, first_ingest) -> Settings:
    """A private copy of the ingested demo (knowledge and store) that a test may change."""
    demo, _ = first_ingest
    shutil.copytree(demo.knowledge_dir, tmp_path / "knowledge")
    shutil.copytree(demo.data_dir, tmp_path / "data")
    return Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Ask a server to stop, and kill it if it does not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def running_chroma(folder: Path):
    """A real Chroma server (`chroma run`) on 127.0.0.1: (its process, its port), stopped at the end
    (woken first, should a test have frozen it)."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    with open(folder / "chroma.log", "w") as log:
        process = subprocess.Popen(
            [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder / "server-data")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat")
            yield process, port
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
            stop_process(process)


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real Chroma server on 127.0.0.1, stopped after the test."""
    with running_chroma(tmp_path) as (_, port):
        yield "127.0.0.1", port


@pytest.fixture
def openai_stub():
    """A small OpenAI-compatible server on 127.0.0.1 (the real `openai` client talks to it)."""
    from tests.openai_stub import start_stub

    server = start_stub()
    try:
        yield server
    finally:
        server.stop()
