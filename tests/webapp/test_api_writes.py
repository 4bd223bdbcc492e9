"""POST /app/api/checkin and /app/api/exercise: the chat's rules, through real HTTP."""

from __future__ import annotations

import secrets

import pytest

from bot.domain.models import Reason
from tests.e2e.harness import USER
from tests.e2e.steps import check_in_week, enrol
from tests.webapp.server import WebApp

OTHER = 535353


async def _week(webapp: WebApp) -> None:
    await enrol(webapp.harness)
    await check_in_week(webapp.harness)


async def test_correcting_day_3_with_spreading_gives_the_same_advice_on_page_and_in_chat(
    webapp: WebApp,
) -> None:
    await _week(webapp)
    bot = webapp.harness
    before = await bot.store.list_checkins(USER)
    seen = len(bot.messages())

    answer = await webapp.post("checkin", {"day": 3, "answers": {"spreading": True}})

    assert answer.status_code == 200, answer.text
    advice = answer.json()["advice"]
    assert advice["level"] == "see_doctor"
    chat = [m.html for m in bot.messages()[seen:]]
    assert chat == [advice["html"]]
    after = await bot.store.list_checkins(USER)
    assert len(after) == len(before) + 1
    day3 = next(r for r in before if r.checkin.day == 3)
    assert after[-1].local_date == day3.local_date
    assert after[-1].checkin == day3.checkin.model_copy(update={"spreading": True})
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert Reason.SPREADING in profile.advised_reasons
    diary = (await webapp.get("diary")).json()
    assert [s["code"] for s in diary["days"][2]["signs"]] == ["spreading"]


@pytest.mark.parametrize(
    "body",
    [
        {"day": 3},
        {"day": 3, "answers": {}},
        {"day": 3, "answers": {"episodes_per_day": -1}},
        {"day": 3, "answers": {"stress_level": 9}},
        {"day": 3, "answers": {"twitch_location": "elbow"}},
        {"day": 3, "answers": {"day": 1}},
        {"day": 3, "answers": {"user_id": OTHER}},
        {"day": 3, "answers": ["spreading"]},
    ],
)
async def test_bad_answers_get_a_friendly_400_and_nothing_changes(
    webapp: WebApp, body: dict[str, object]
) -> None:
    await _week(webapp)
    bot = webapp.harness
    before = await bot.store.list_checkins(USER)
    seen = len(bot.messages())

    answer = await webapp.post("checkin", body)

    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request"
    assert "Traceback" not in answer.text
    assert answer.json()["message"]
    assert await bot.store.list_checkins(USER) == before
    assert len(bot.messages()) == seen


@pytest.mark.parametrize("day", [0, 8, -1, "3", True, None, 3.0])
async def test_a_day_outside_the_plan_so_far_gets_400(webapp: WebApp, day: object) -> None:
    await enrol(webapp.harness)  # day 1 today
    answer = await webapp.post("checkin", {"day": day, "answers": {"painful": True}})
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_day"


async def test_a_day_without_a_check_in_needs_every_answer(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    bot.advance(days=1)
    partial = await webapp.post("checkin", {"day": 1, "answers": {"painful": True}})
    assert partial.status_code == 400
    full = {
        "twitch_location": "eyelid",
        "episodes_per_day": 2,
        "worst_duration": "seconds",
        "sleep_hours": 7,
        "caffeine_drinks": 1,
        "stress_level": 2,
    }
    answer = await webapp.post("checkin", {"day": 1, "answers": full})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "advice": None}
    stored = await bot.store.list_checkins(USER)
    assert [r.checkin.day for r in stored] == [1]


async def test_an_exercise_is_stored_once_per_day_and_shows_in_the_diary(webapp: WebApp) -> None:
    await _week(webapp)
    for _ in range(2):
        answer = await webapp.post("exercise", {"kind": "breathing", "day": 5})
        assert answer.json() == {"ok": True}
    await webapp.post("exercise", {"kind": "eyes", "day": 4})

    days = (await webapp.get("diary")).json()["days"]
    assert [d["exercises"] for d in days] == [[], [], [], ["eyes"], ["breathing"], [], []]
    assert await webapp.harness.store.exercises_by_day(USER) == {4: ["eyes"], 5: ["breathing"]}


@pytest.mark.parametrize("body", [{"kind": "yoga", "day": 5}, {"kind": "eyes"}, {}])
async def test_a_bad_exercise_gets_400(webapp: WebApp, body: dict[str, object]) -> None:
    await _week(webapp)
    assert (await webapp.post("exercise", body)).status_code == 400
    assert await webapp.harness.store.exercises_by_day(USER) == {}


async def test_writes_need_json_a_fresh_nonce_and_our_own_origin(webapp: WebApp) -> None:
    await _week(webapp)
    body = {"kind": "eyes", "day": 4}
    nonce = secrets.token_hex(16)
    headers = {**webapp.auth(), "X-TwitchCare-Nonce": nonce}
    url = "/app/api/exercise"
    client = webapp.client

    form = await client.post(url, data={"kind": "eyes"}, headers=headers)
    assert form.status_code == 415
    foreign = await client.post(
        url, json=body, headers={**headers, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert (
        await client.post(url, json=body, headers={**headers, "Origin": webapp.base_url})
    ).status_code == 200
    replay = await client.post(url, json=body, headers=headers)
    assert replay.status_code == 409
    assert replay.json()["error"] == "replayed"
    no_nonce = await client.post(url, json=body, headers=webapp.auth())
    assert no_nonce.status_code == 400


async def test_a_person_can_only_reach_their_own_rows(webapp: WebApp) -> None:
    """A's initData reads and writes A's data only, whatever the body names."""
    bot = webapp.harness
    bot.emu.add_user(OTHER, first_name="Sam")
    await enrol(bot, user=OTHER)
    await _week(webapp)
    theirs = await bot.store.list_checkins(OTHER)
    sent_to_other = len(bot.messages(OTHER))

    sneaky = {"day": 1, "user_id": OTHER, "chat_id": OTHER, "answers": {"painful": True}}
    assert (await webapp.post("checkin", sneaky)).status_code == 200
    await webapp.post("exercise", {"kind": "eyes", "day": 1, "user_id": OTHER})
    mine = (await webapp.get("diary")).json()
    other = (await webapp.get("diary", user_id=OTHER)).json()

    assert await bot.store.list_checkins(OTHER) == theirs
    assert await bot.store.exercises_by_day(OTHER) == {}
    assert mine["days"][0]["checkin"]["painful"] is True
    assert other["days"][0]["checkin"] is None
    assert len(bot.messages(OTHER)) == sent_to_other


async def test_delete_needs_confirmation_then_removes_everything_exercises_too(
    webapp: WebApp,
) -> None:
    await _week(webapp)
    await webapp.post("exercise", {"kind": "eyes", "day": 4})
    redis = webapp.harness.redis

    refused = await webapp.post("delete", {})
    assert refused.status_code == 400
    assert await redis.exists(f"u:{{{USER}}}:exercises") == 1

    answer = await webapp.post("delete", {"confirm": True})

    assert answer.json() == {"deleted": True}
    assert await redis.keys(f"u:{{{USER}}}:*") == []
    assert (await webapp.get("diary")).json()["status"] == "none"
