"""The app in a real browser: `streamlit run app.py` (offline mode) driven by Playwright and Debian's chromium.

Each test saves a screenshot to build/screenshots/<name>.png (to the README's docs/screenshots/ only
with UPDATE_SCREENSHOTS=1). To cover another page, add a test that
takes `page`, calls `go_to(page, "Evals")`, checks what a writer sees there and calls `screenshot`.
"""

from __future__ import annotations

import pytest

from tests.browser import (
    DRAFT_TIMEOUT_MS,
    PAGE_TIMEOUT_MS,
    go_to,
    launch_chromium,
    open_app,
    require_browser,
    screenshot,
    streamlit_server,
    wait_idle,
)

COMMENT = "Курьер опоздал на 5 часов и нагрубил мне"


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    """Skip (fail under CI=true) before anything slow, such as ingesting the demo, is set up."""
    require_browser()


@pytest.fixture(scope="module")
def app_url(indexed_demo, tmp_path_factory):
    """One Streamlit server over the ingested demo for every test here, stopped at the end."""
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with streamlit_server(indexed_demo.data_dir, indexed_demo.knowledge_dir, log) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser session (so a fresh Streamlit session) with the app loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    try:
        open_app(page, app_url)
        yield page
    finally:
        context.close()


def test_writer_drafts_a_reply_and_sees_the_checklist(page):
    from playwright.sync_api import expect

    page.get_by_role("textbox", name="Customer's comment").fill(COMMENT)
    page.get_by_role("button", name="Draft", exact=True).click()

    verdict = page.get_by_text("passes every applicable rule").first
    expect(verdict).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
    expect(page.get_by_text("invite_dm").first).to_be_visible()
    wait_idle(page)

    path = screenshot(page, "draft")
    assert path.stat().st_size > 10_000


def test_knowledge_page_screenshot(page):
    """A screenshot of the Knowledge page and that the index shows; what it does is tested in test_app.py."""
    from playwright.sync_api import expect

    go_to(page, "Knowledge")
    # the page opens the store first: seconds on a busy machine
    expect(page.get_by_text("Indexed chunks").first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.get_by_text("Embedding model:").first).to_be_visible()
    screenshot(page, "knowledge")


def test_evals_page_runs_the_smoke_suite(page):
    from playwright.sync_api import expect

    go_to(page, "Evals")
    page.get_by_role("button", name="Run suite").click()
    expect(page.get_by_text("cases pass").first).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
    expect(page.get_by_text("Pass rate per rule").first).to_be_visible()
    wait_idle(page)
    screenshot(page, "evals")


def test_history_page_lists_the_drafts(page):
    from playwright.sync_api import expect

    page.get_by_role("textbox", name="Customer's comment").fill("Свитер полинял после первой стирки")
    page.get_by_role("button", name="Draft", exact=True).click()
    expect(page.get_by_text("passes every applicable rule").first).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
    go_to(page, "History")
    expect(page.get_by_text("defective_item").first).to_be_visible()
    screenshot(page, "history")
