"""The Mini App in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Each test gets the whole bot with its web server (tests/webapp/server.py: uvicorn, the PTB
Application on the emulator, a real Redis) and a phone-sized page that signs its own initData.
A missing browser fails the run: these tests are how issue 18 is checked, never skipped.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, ViewportSize, async_playwright

from tests.webapp.server import WebApp, webapp

__all__ = ["webapp"]

PHONE: ViewportSize = {"width": 390, "height": 844}
# Telegram's own theme colours (Telegram Web A), passed as a client passes them.
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#0f0f0f",
    },
}
TIMEOUT_MS = 20_000
Theme = Literal["light", "dark"]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "chromium is not installed: the Mini App's browser tests need Debian's `chromium` "
            "package (apt-get install chromium; .ci/run installs it)",
            pytrace=False,
        )
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium; without its sandbox only when running as root (CI containers)."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=args
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Phone:
    """An open page and everything it complained about (script errors, CSP violations)."""

    page: Page
    diary_status: int = 0  # the HTTP status of the page's first request for the diary
    problems: list[str] = field(default_factory=list)

    def watch(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Uncaught" in message.text:
            self.problems.append(message.text)


Opener = Callable[..., Awaitable[Phone]]


def launch_url(page_url: str, init_data: str, theme: Theme, extra: str = "") -> str:
    """The page's URL with Telegram's launch parameters in the hash, as a client opens it."""
    params = {
        "tgWebAppData": init_data,
        "tgWebAppVersion": "7.0",
        "tgWebAppPlatform": "tdesktop",
        "tgWebAppThemeParams": json.dumps(THEMES[theme]),
    }
    launch = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
    return f"{page_url}#{launch}{extra}"


@pytest.fixture
async def phone(browser: Browser, webapp: WebApp) -> AsyncIterator[Opener]:
    """Opens the Mini App at 390x844 as Telegram would; fails the test on a script error or a
    CSP violation on any page it opened."""
    opened: list[Phone] = []

    async def open_page(
        init_data: str | None = None, *, theme: Theme = "light", extra: str = ""
    ) -> Phone:
        context = await browser.new_context(viewport=PHONE, color_scheme=theme)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        phone = Phone(page)
        page.on("console", phone.watch)
        page.on("pageerror", lambda error: phone.problems.append(str(error)))
        opened.append(phone)
        data = webapp.init_data() if init_data is None else init_data
        async with page.expect_response("**/app/api/diary") as diary:
            await page.goto(launch_url(webapp.page_url, data, theme, extra))
        phone.diary_status = (await diary.value).status
        return phone

    yield open_page
    assert [p for phone in opened for p in phone.problems] == []
