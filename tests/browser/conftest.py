"""Fixtures of the browser test; it runs only under scripts/browser-test.

scripts/browser-test starts a real Home Assistant and passes its address in
CLIENT_ETIQUETTE_BROWSER_URL. Without it (a plain `pytest` of tests/) nothing here is
collected, so the normal suite needs neither Chromium nor Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

URL = os.environ.get("CLIENT_ETIQUETTE_BROWSER_URL", "")
if not URL:
    collect_ignore = ["test_ui.py", "test_ui_languages.py"]

CHROMIUM = os.environ.get("CLIENT_ETIQUETTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base_url() -> str:
    """Return the address of the Home Assistant that scripts/browser-test started."""
    return URL.rstrip("/")


@pytest.fixture(scope="session")
def token() -> str:
    """Return a long-lived access token of the `dev` user, for reading states."""
    return Path(os.environ["CLIENT_ETIQUETTE_TOKEN_FILE"]).read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the screenshots go (docs/images, used by the README)."""
    folder = Path(os.environ.get("CLIENT_ETIQUETTE_SCREENSHOTS", REPO / "docs" / "images"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with no traffic of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One page for the whole story: the tests of test_ui.py run in order on it."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    # Assertions wait as long as actions do (5 s by default): a busy machine is slow.
    expect.set_options(timeout=30_000)
    yield page
    context.close()
