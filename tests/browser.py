"""Helpers for the real-browser tests: Debian's chromium driven by Playwright, against `streamlit run app.py`.

`playwright install` downloads a browser build and fails offline, so the tests use the system chromium
(`apt-get install chromium`, which .ci/run does). Without it, or without the `playwright` package, the
browser tests skip, except under CI=true, where they fail so that CI cannot pass by skipping them.

Selectors go by what a writer sees (labels, button names, tab names, text), not by Streamlit's markup,
so they survive a rewrite of app.py.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import stop_process

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
# Test runs write screenshots to build/; the README's pictures change only on purpose:
# UPDATE_SCREENSHOTS=1 bash scripts/test.sh tests/test_browser.py
SCREENSHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "build") / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health answers
PAGE_TIMEOUT_MS = 90_000  # the first script run opens the store and loads the embedding model
DRAFT_TIMEOUT_MS = 90_000  # the first draft embeds the comment


def require_browser() -> None:
    """Skip (or, under CI=true, fail) when the browser or the playwright package is missing."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the `playwright` package (pip install -e '.[test]')")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    reason = "browser test needs " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def streamlit_server(data_dir: Path, knowledge_dir: Path, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` in offline mode on a free port; yields its URL and always stops it."""
    port = free_port()
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir), ASSISTANT_KNOWLEDGE_DIR=str(knowledge_dir))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # app.py may be edited while the test runs: no watcher, no reruns on save
        "--server.fileWatcherType",
        "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {process.returncode}:\n{_tail(log_path)}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer in {SERVER_START_TIMEOUT:.0f}s:\n{_tail(log_path)}")
                time.sleep(0.25)
            yield url
        finally:
            stop_process(process)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


def wait_idle(page, timeout_ms: float = PAGE_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished the current script run (its "Running…" widget is gone)."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout_ms)


def open_app(page, url: str) -> None:
    """Load the app and wait until the script has run once and drawn the draft form."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("textbox", name="Customer's comment").wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


def go_to(page, name: str) -> None:
    """Open the page called `name`, whether the app shows it as a tab (st.tabs) or a sidebar link (st.navigation)."""
    from playwright.sync_api import expect

    tab = page.get_by_role("tab", name=name, exact=True).first
    if tab.count():
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
    else:
        page.get_by_role("link", name=name, exact=True).first.click()
    wait_idle(page)


def screenshot(page, name: str) -> Path:
    """Save the whole app (not just the viewport) to build/screenshots/<name>.png (docs/screenshots/ with
    UPDATE_SCREENSHOTS=1) and return the path.

    Streamlit scrolls inside its own container, so a "full page" screenshot would only be the viewport:
    grow the viewport to the tallest scrolling element first, then put it back."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate("Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), 12_000)})
    try:
        page.wait_for_timeout(300)  # let the layout settle at the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path
