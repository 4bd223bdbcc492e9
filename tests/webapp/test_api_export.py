"""POST /app/api/export: the same files as /export, sent into the person's private chat."""

from __future__ import annotations

import json

from devtools.emulator import ChatMessage
from tests.e2e.harness import USER
from tests.e2e.steps import check_in_week, enrol
from tests.webapp.server import WebApp

OTHER = 535353


def files(messages: list[ChatMessage]) -> dict[str, bytes]:
    return {m.document.filename or "": m.document.data for m in messages if m.document}


async def test_the_page_and_the_command_send_the_same_files(webapp: WebApp) -> None:
    bot = webapp.harness
    await enrol(bot)
    await check_in_week(bot)
    assert (await webapp.post("exercise", {"kind": "eyes", "day": 4})).status_code == 200
    seen = len(bot.messages())

    answer = await webapp.post("export", {})

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sent": True}
    from_page = files(bot.messages()[seen:])
    seen = len(bot.messages())
    await bot.send("/export")
    from_chat = files(bot.messages()[seen:])
    assert (
        set(from_page)
        == set(from_chat)
        == {
            "twitchcare-export.json",
            "twitchcare-checkins.csv",
            "twitchcare-doctor-report.pdf",
        }
    )
    for name in ("twitchcare-export.json", "twitchcare-checkins.csv"):
        assert from_page[name] == from_chat[name], name
    document = json.loads(from_page["twitchcare-export.json"])
    assert document["user_id"] == USER
    assert document["exercises"] == {"4": ["eyes"]}
    assert len(document["checkins"]) == 7


async def test_nothing_stored_is_a_friendly_400_and_sends_nothing(webapp: WebApp) -> None:
    bot = webapp.harness
    bot.emu.add_user(OTHER, first_name="Sam")
    await enrol(bot)

    answer = await webapp.post("export", {}, user_id=OTHER)

    assert answer.status_code == 400
    assert answer.json()["error"] == "no_data"
    assert answer.json()["message"]
    assert bot.messages(OTHER) == []
