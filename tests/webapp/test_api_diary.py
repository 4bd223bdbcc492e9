"""GET /app/api/texts and /app/api/diary through real HTTP, a real Redis and the real bot."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.harness import USER
from tests.e2e.steps import check_in_week, enrol
from tests.webapp.server import WebApp

OTHER = 525252


async def test_texts_need_no_profile_and_follow_the_language_code(webapp: WebApp) -> None:
    answer = await webapp.get("texts", headers=webapp.auth(OTHER, language_code="es"))

    assert answer.status_code == 200
    assert answer.json()["locale"] == "es"
    spanish = webapp.harness.app.bot_data.services.content.in_locale("es").webapp
    assert answer.json()["texts"] == spanish.model_dump()
    assert answer.json()["texts"]["eyes_title"]


async def test_a_person_without_a_profile_gets_an_empty_diary(webapp: WebApp) -> None:
    answer = await webapp.get("diary")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["days"], body["advice"]) == ("none", [], None)
    assert await webapp.harness.redis.keys("u:*") == []


async def test_the_diary_shows_every_plan_day_with_its_check_in(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    await check_in_week(bot)

    body = (await webapp.get("diary")).json()

    assert body["status"] == "active"
    assert body["today_day"] == 7
    assert [d["day"] for d in body["days"]] == [1, 2, 3, 4, 5, 6, 7]
    stored = await bot.store.list_checkins(USER)
    assert [d["date"] for d in body["days"]] == [r.local_date.isoformat() for r in stored]
    for day, record in zip(body["days"], stored, strict=True):
        assert day["checkin"] == record.checkin.model_dump(mode="json")
        assert day["date_label"]
        assert day["exercises"] == []
    assert {c["id"] for c in body["choices"]["twitch_location"]} >= {"eyelid"}
    assert len(body["choices"]["signs"]) == 10


@pytest.mark.parametrize(
    "header",
    [None, "", "tma x", "Bearer x", "tma query_id=1&user=%7B%22id%22%3A424242%7D&hash=00"],
)
async def test_missing_or_forged_init_data_gets_401_and_logs_no_data(
    webapp: WebApp, caplog: pytest.LogCaptureFixture, header: str | None
) -> None:
    await enrol(webapp.harness)
    caplog.set_level(logging.DEBUG)
    headers = {} if header is None else {"Authorization": header}

    for path in ("diary", "texts"):
        answer = await webapp.client.get(f"/app/api/{path}", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"] == "unauthorized"
    assert str(USER) not in caplog.text
    assert "Robin" not in caplog.text
    assert "query_id" not in caplog.text


async def test_expired_and_other_bots_init_data_get_401_and_log_no_data(
    webapp: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.webapp.initdata import signed_init_data

    await enrol(webapp.harness)
    caplog.set_level(logging.DEBUG)
    expired = webapp.auth(age=86400 + 1)
    now = int(webapp.harness.clock.now().timestamp())
    other = signed_init_data("111111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAA", USER, auth_date=now)

    for headers in (expired, {"Authorization": f"tma {other}"}):
        answer = await webapp.client.get("/app/api/diary", headers=headers)
        assert answer.status_code == 401
    assert str(USER) not in caplog.text
    assert expired["Authorization"][4:] not in caplog.text


async def test_every_response_carries_the_security_headers(webapp: WebApp) -> None:
    for answer in (await webapp.get("diary"), await webapp.client.get("/app/api/diary")):
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert (
            "frame-ancestors https://web.telegram.org" in answer.headers["content-security-policy"]
        )
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
