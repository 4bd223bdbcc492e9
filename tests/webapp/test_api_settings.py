"""GET and POST /app/api/settings: the same validation and re-scheduling as /settings."""

from __future__ import annotations

import pytest

from bot.domain.models import Status
from tests.e2e.harness import USER
from tests.e2e.steps import due_at, enrol
from tests.webapp.server import WebApp


async def test_settings_show_the_profile_and_every_zone(webapp: WebApp) -> None:
    await enrol(webapp.harness)
    body = (await webapp.get("settings")).json()
    assert body["zone"] == "Europe/London"
    assert (body["wake_time"], body["bedtime"], body["language"], body["paused"]) == (
        "07:00", "23:00", "en", False,
    )  # fmt: skip
    assert len(body["zones"]) > 300
    assert {"id": "en", "label": "English"} in body["languages"]


async def test_a_later_bedtime_moves_the_next_evening_nudge_in_redis(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    await bot.tick()
    before = await due_at(bot)

    answer = await webapp.post("settings", {"bedtime": "23:45"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["bedtime"] == "23:45"
    after = await due_at(bot)
    assert before is not None
    assert after is not None
    assert after - before == (after - before).__class__(minutes=45)


async def test_zone_language_and_pause_change_like_the_commands(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)

    answer = await webapp.post(
        "settings", {"zone": "europe/oslo", "language": "de", "paused": True}
    )

    assert answer.status_code == 200, answer.text
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert (profile.zone, profile.country, profile.locale) == ("Europe/Oslo", "NO", "de")
    assert profile.status is Status.PAUSED
    assert answer.json()["paused"] is True
    resumed = await webapp.post("settings", {"paused": False})
    assert resumed.json()["paused"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"zone": "Mars/Olympus"},
        {"wake_time": "7am"},
        {"bedtime": "24:00"},
        {"wake_time": "22:30"},  # too close to the 23:00 bedtime
        {"language": "xx"},
        {"paused": "yes"},
        {"user_id": 1},
    ],
)
async def test_bad_settings_get_a_friendly_400_and_change_nothing(
    webapp: WebApp, body: dict[str, object]
) -> None:
    bot = webapp.harness
    before = await enrol(bot)

    answer = await webapp.post("settings", body)

    assert answer.status_code == 400
    assert answer.json()["message"]
    assert await bot.store.get_profile(USER) == before
