"""Browser fixtures: Debian's chromium driven by Playwright (tests/e2e and the services suite)."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an asyncio event loop running in the main thread, so Django's
    # check refuses the ORM calls tests make there (factories, assertions). Nothing here is
    # concurrent: a test waits on the browser, and the server has its own thread or process.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(15_000)
    return page


def log_in(page, base_url: str, username: str):
    """Log `page` in as `username` (password tests.users.factories.PASSWORD) through the login
    form, landing on the home page; returns the page."""
    from tests.users.factories import PASSWORD

    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email or username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return page
