"""A correction's answers must have the right JSON type: nothing is coerced. `"painful": "yes"`
is not true and `"3"` or `3.0` are not 3: each wrong value gets a friendly 400, and nothing is
stored or sent to the chat."""

from __future__ import annotations

from typing import Any

from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn
from tests.e2e.harness import USER
from tests.e2e.steps import check_in_week, enrol
from tests.webapp.server import WebApp

NOT_A_BOOL: tuple[Any, ...] = ("yes", "true", "1", 1, 0, None, [], {})
WRONG: dict[str, tuple[Any, ...]] = {
    "twitch_location": (1, True, None, ["eyelid"], {"id": "eyelid"}, "EYELID", ""),
    "episodes_per_day": ("3", 3.0, 3.5, True, None, -1, [3]),
    "worst_duration": (2, True, None, "forever", ["seconds"]),
    **dict.fromkeys(WARNING_SIGN_FIELDS, NOT_A_BOOL),
    "sleep_hours": ("7", True, None, -1, 25, [7], "six"),
    "caffeine_drinks": ("2", 2.0, 1.5, False, None, -1),
    "stress_level": ("3", 3.0, True, None, 0, 6),
}


def test_the_table_covers_every_field_the_page_may_change() -> None:
    assert set(WRONG) == set(CheckIn.model_fields) - {"day", "days_since_onset"}


async def test_every_wrong_type_is_a_friendly_400_and_changes_nothing(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    await check_in_week(bot)
    before = await bot.store.list_checkins(USER)
    seen = len(bot.messages())

    accepted: list[tuple[str, Any, object]] = []
    for field, values in WRONG.items():
        for value in values:
            answer = await webapp.post("checkin", {"day": 3, "answers": {field: value}})
            if answer.status_code != 400 or answer.json()["error"] != "bad_request":
                accepted.append((field, value, answer.status_code))
            elif not answer.json()["message"] or "Traceback" in answer.text:
                accepted.append((field, value, "unfriendly"))

    assert accepted == []
    assert await bot.store.list_checkins(USER) == before
    assert len(bot.messages()) == seen


async def test_the_right_types_are_accepted(webapp: WebApp) -> None:
    await enrol(webapp.harness)
    await check_in_week(webapp.harness)
    right = {"painful": False, "sleep_hours": 6, "episodes_per_day": 3, "stress_level": 2}

    answer = await webapp.post("checkin", {"day": 3, "answers": right})

    assert answer.status_code == 200, answer.text
    stored = (await webapp.harness.store.list_checkins(USER))[-1].checkin
    assert (stored.sleep_hours, stored.episodes_per_day, stored.stress_level) == (6.0, 3, 2)
