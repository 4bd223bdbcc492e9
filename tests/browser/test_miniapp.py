"""Issue 18's "Done when", in a real browser: the page, the real server, the real bot.

No sleeps: every wait is on a condition of the page (Playwright's expect) with a timeout.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PHONE, TIMEOUT_MS, Opener, Theme
from tests.e2e.harness import USER
from tests.e2e.steps import check_in_week, due_at, enrol
from tests.webapp.initdata import signed_init_data
from tests.webapp.server import WebApp

OTHER = 525252
# Screenshots go here; set TWITCHCARE_SCREENSHOTS=docs to refresh the ones the README shows.
SCREENSHOTS = os.environ.get("TWITCHCARE_SCREENSHOTS")


async def _week(page: Page) -> None:
    await expect(page.locator(".day")).to_have_count(7, timeout=TIMEOUT_MS)


async def _a_checked_in_week(webapp: WebApp, phone: Opener) -> Page:
    """Robin enrolled with 7 days of check-ins, the diary open on the week."""
    bot = webapp.harness
    await enrol(bot)
    await check_in_week(bot)
    page = (await phone()).page
    await _week(page)
    return page


async def test_the_week_shows_each_day_with_its_check_in(webapp: WebApp, phone: Opener) -> None:
    page = await _a_checked_in_week(webapp, phone)
    stored = await webapp.harness.store.list_checkins(USER)

    for n, record in enumerate(stored, start=1):
        row = page.locator(f".day[data-day='{n}']")
        await expect(row.locator("h3")).to_contain_text(f"Day {n}")
        await expect(row.locator(".facts dd").nth(1)).to_have_text(
            str(record.checkin.episodes_per_day)
        )
        await expect(row).not_to_contain_text("No check-in")
    await expect(page.locator(".day[data-day='2'] .signs")).to_contain_text("Warning signs")
    await expect(page.locator(".day[data-day='7'] .badge")).to_have_text("today")


async def test_the_chart_is_the_servers_svg_inside_the_page(webapp: WebApp, phone: Opener) -> None:
    page = await _a_checked_in_week(webapp, phone)
    stored = await webapp.harness.store.list_checkins(USER)

    await page.get_by_role("button", name="Chart").click()

    bars = page.locator("#chart svg rect[data-episodes]")
    await expect(bars).to_have_count(len(stored))
    counts = [await bar.get_attribute("data-episodes") for bar in await bars.all()]
    assert counts == [str(r.checkin.episodes_per_day) for r in stored]
    await expect(page.locator("#error")).to_be_hidden()


async def test_correcting_day_3_to_spreading_shows_the_advice_on_the_page_and_in_chat(
    webapp: WebApp, phone: Opener
) -> None:
    bot = webapp.harness
    page = await _a_checked_in_week(webapp, phone)
    sent_before = len(bot.messages())

    await page.locator(".day[data-day='3'] button").click()
    await page.get_by_label("Spreading", exact=False).check()
    async with page.expect_response("**/app/api/checkin") as answer:
        await page.get_by_role("button", name="Save").click()

    assert (await answer.value).status == 200
    advice = page.locator("#edit-advice")
    await expect(advice).to_be_visible()
    await expect(advice).to_contain_text("The twitch is spreading.")
    stored = await bot.store.list_checkins(USER)
    assert [r.checkin.spreading for r in stored if r.checkin.day == 3][-1] is True
    new = bot.messages()[sent_before:]
    assert any("The twitch is spreading." in m.text for m in new), [m.text for m in new]


async def test_changing_the_bedtime_moves_the_evening_nudge_in_redis(
    webapp: WebApp, phone: Opener
) -> None:
    bot = webapp.harness
    await enrol(bot, bed="23:00")
    before = await due_at(bot)
    assert before is not None
    page = (await phone()).page
    await _wait_loaded(page)

    await page.get_by_role("button", name="Settings").click()
    await expect(page.locator("#bedtime")).to_have_value("23:00")
    await page.locator("#bedtime").fill("21:00")
    async with page.expect_response("**/app/api/settings") as answer:
        await page.get_by_role("button", name="Save").click()

    assert (await answer.value).request.method == "POST"
    await expect(page.locator("#status")).to_have_text("Settings saved.")
    after = await due_at(bot)
    assert after == before - timedelta(hours=2)


async def _wait_loaded(page: Page) -> None:
    await expect(page.locator("#tabs")).to_be_visible(timeout=TIMEOUT_MS)


def _other_person(init_data: str) -> str:
    """Someone's signed initData with the user swapped for another person's: the hash no
    longer matches."""
    fields = dict(parse_qsl(init_data))
    user = json.loads(fields["user"])
    fields["user"] = json.dumps({**user, "id": OTHER}, separators=(",", ":"))
    return urlencode(fields)


@pytest.mark.parametrize("kind", ["forged", "expired", "other_person"])
async def test_bad_init_data_gets_401_and_a_friendly_message(
    webapp: WebApp, phone: Opener, kind: str
) -> None:
    bot = webapp.harness
    await enrol(bot)
    now = int(bot.clock.now().timestamp())
    init_data = {
        "forged": signed_init_data("123:not-this-bots-token", USER, auth_date=now),
        "expired": webapp.init_data(age=86400 + 60),
        "other_person": _other_person(webapp.init_data()),
    }[kind]

    opened = await phone(init_data)

    assert opened.diary_status == 401
    page = opened.page
    await expect(page.locator("#error")).to_be_visible()
    await expect(page.locator("#error-text")).not_to_be_empty()
    await expect(page.locator("#error")).not_to_contain_text("Traceback")
    await expect(page.locator("#retry")).to_be_hidden()
    await expect(page.locator("#tabs")).to_be_hidden()
    await expect(page.locator(".day")).to_have_count(0)


async def test_the_breathing_timer_stores_its_completion(webapp: WebApp, phone: Opener) -> None:
    bot = webapp.harness
    await enrol(bot)
    page = (await phone(extra="&twitchcareSpeed=60")).page
    await _wait_loaded(page)
    await page.get_by_role("button", name="Exercises").click()
    # Record each phase the page announces, so the test sees one whole cycle go by.
    await page.evaluate(
        """() => {
        window.phases = [];
        const node = document.getElementById('breath-phase');
        new MutationObserver(() => window.phases.push(node.textContent))
            .observe(node, {childList: true, characterData: true, subtree: true});
    }"""
    )

    async with page.expect_response("**/app/api/exercise") as answer:
        await page.locator("#view-exercises [data-go='breathing']").click()

    assert (await answer.value).status == 200
    await expect(page.locator("#breath-done")).to_be_visible()
    phases = await page.evaluate("window.phases")
    assert phases[:4] == ["Breathe in", "Hold", "Breathe out", "Rest"]
    body = (await webapp.get("diary")).json()
    today = body["today_day"]
    assert body["days"][today - 1]["exercises"] == ["breathing"]
    assert await bot.store.exercises_by_day(USER) == {today: ["breathing"]}


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_screenshots_of_the_week_and_the_breathing_timer(
    webapp: WebApp, phone: Opener, theme: Theme, tmp_path: Path
) -> None:
    """The README's pictures, at a phone's 390x844; a person looked at each one."""
    bot = webapp.harness
    await enrol(bot)
    await check_in_week(bot)
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    page = (await phone(theme=theme, extra="&exercise=breathing")).page

    await expect(page.locator("#breath-phase")).not_to_be_empty()
    breathing = await page.screenshot(path=folder / f"miniapp-breathing-{theme}.png")
    await page.get_by_role("button", name="Week").click()
    await _week(page)
    week = await page.screenshot(path=folder / f"miniapp-week-{theme}.png")

    for shot in (breathing, week):
        assert shot[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
        assert (width, height) == (PHONE["width"], PHONE["height"])
