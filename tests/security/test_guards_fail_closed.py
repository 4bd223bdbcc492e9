"""Every guard fails closed: when its refusal cannot be sent, the update still goes no further.

The refusal is sent through the real Bot API emulator, which fails it the ways Telegram does:
a 5xx, a 403, a dropped connection, or (for the quoted group reply) "message to be replied not
found" because the group's anti-spam bot deleted the /command. For every guard and every failure
kind, nothing else may run: nothing stored, nothing sent, no health data anywhere. The updates
go to two real webhook replicas on one Redis, in turn.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest
from redis.asyncio import Redis

from tests.e2e.harness import USER, Harness
from tests.e2e.replicas import Cluster, cluster
from tests.e2e.steps import check_in, enrol

SAM = 515151  # enrolled too: someone whose data a forged update could try to read
STRANGER = 616161  # no data, not an operator
ADMIN = 999_001
GROUP, SUPERGROUP = -1001234567890, -1002222222222
COMMANDS = ["/start", "/today", "/checkin", "/progress", "/pause", "/resume", "/settings",
            "/export", "/delete", "/stop", "/help", "/faq", "/urgent", "/stats"]  # fmt: skip
GONE = "command_deleted"  # the group's anti-spam bot deleted the /command before we answered
MESSAGE_FAULTS = ["server_error", "forbidden", "disconnect", GONE]
TAP_FAULTS = ["server_error", "forbidden", "disconnect"]
NOTHING_STORED = "Nothing from this group has been stored."

FORGED_IDS = itertools.count(900_000)

Snapshot = dict[bytes, bytes | None]


@pytest.fixture
async def bots(redis_url: str, redis_client: Redis) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client, admin_user_ids=(ADMIN,)) as running:
        for user, name in ((SAM, "Sam"), (STRANGER, "Kim"), (ADMIN, "Ops")):
            running.emu.add_user(user, first_name=name)
        running.emu.add_group(GROUP, "Twitchy friends")
        running.emu.add_group(SUPERGROUP, "Twitchy supergroup", "supergroup")
        await enrol(running)
        await enrol(running, user=SAM)
        await check_in(running, finish=None)  # a check-in in progress, with live buttons
        yield running


async def people_keys(bot: Harness) -> Snapshot:
    """Every key but the webhook's update ledger, with a serialised copy of its value."""
    keys = [key async for key in bot.redis.scan_iter(count=1000) if not key.startswith(b"upd:")]
    return {key: await bot.redis.dump(key) for key in keys}


def button_data(bot: Harness, user: int = USER) -> list[tuple[int, str]]:
    """(message id, callback data) of every button the bot has shown the person."""
    messages = bot.messages(user)
    return [(m.message_id, v) for m in messages for row in m.button_values for _, v in row if v]


def all_sent(bot: Harness) -> dict[int, int]:
    """How many bot messages each chat shows."""
    chats = (USER, SAM, STRANGER, ADMIN, GROUP, SUPERGROUP)
    return {chat: len(bot.emu.bot_messages(chat)) for chat in chats}


async def refused(
    bot: Harness, act: Callable[[], Awaitable[int]], fault: str, method: str, chat: int | None
) -> None:
    """Deliver the update `act` creates with its refusal failing as `fault`, and check that
    nothing but (at most) the refusal happened."""
    before, sent = await people_keys(bot), all_sent(bot)
    if fault != GONE:
        bot.emu.inject_fault(method, chat_id=chat, kind=fault)
    update_id = await act()
    if fault == GONE:
        assert chat is not None
        bot.emu.delete_message(chat, bot.emu.chat(chat)[-1].message_id)
    await bot.settle(update_id)
    bot.emu.clear_faults()

    assert await people_keys(bot) == before, "a refused update changed Redis"
    now = all_sent(bot)
    for where in now:
        if where != chat:
            assert now[where] == sent[where], f"a refused update sent something to {where}"
    if chat is not None:
        new = bot.emu.bot_messages(chat)[sent[chat] :]
        assert len(new) <= 1, "a refused update got more than its refusal"
        assert all(m.document is None and NOTHING_STORED in m.text for m in new)


@pytest.mark.parametrize("fault", MESSAGE_FAULTS)
@pytest.mark.parametrize("group", [GROUP, SUPERGROUP])
async def test_commands_in_a_group_stay_refused_when_the_refusal_fails(
    bots: Cluster, fault: str, group: int
) -> None:
    for command in COMMANDS:
        for sender in (USER, ADMIN):
            act = partial(bots.emu.send_text, sender, command, group)
            await refused(bots, act, fault, "sendMessage", group)


@pytest.mark.parametrize("fault", TAP_FAULTS)
async def test_buttons_tapped_in_a_group_or_by_someone_else_stay_refused(
    bots: Cluster, fault: str
) -> None:
    """A tap in a group, and Sam tapping Robin's buttons in Robin's chat (a forged update)."""
    await bots.send("/delete")  # a live "yes, delete everything" button as well
    await bots.send("/urgent")
    for message_id, data in button_data(bots):
        for tapper, chat in ((USER, GROUP), (SAM, USER)):
            act = partial(bots.emu.tap_raw, tapper, message_id, data, chat)
            await refused(bots, act, fault, "answerCallbackQuery", None)


@pytest.mark.parametrize("fault", MESSAGE_FAULTS[:3])
async def test_stats_stays_refused_when_its_refusal_fails(bots: Cluster, fault: str) -> None:
    for user in (USER, STRANGER):
        before = len(bots.emu.bot_messages(user))
        bots.emu.inject_fault("sendMessage", chat_id=user, kind=fault)
        await bots.settle(await bots.emu.send_text(user, "/stats"))
        bots.emu.clear_faults()
        assert all("scheduled" not in m.text for m in bots.emu.bot_messages(user)[before:])


@pytest.mark.parametrize("text", [*COMMANDS, "my eye keeps twitching", "07:00", "london"])
async def test_a_message_from_someone_other_than_the_chats_owner_is_refused(
    bots: Cluster, text: str
) -> None:
    """A private chat's messages come from its owner; any other sender is forged. Both ways:
    Sam's update in Robin's chat, and an update "from Robin" in Sam's own chat (which would read
    Robin's data into Sam's chat)."""
    for sender, chat in ((SAM, USER), (USER, SAM), (STRANGER, USER)):
        before, sent = await people_keys(bots), all_sent(bots)
        await bots.settle(await bots.emu.send_text(sender, text, chat))
        assert await people_keys(bots) == before
        assert all_sent(bots) == sent, "a forged sender got an answer"


@pytest.mark.parametrize("kind", ["robins-secret-words", [], {"secret": 1}, 7, None])
async def test_a_forged_chat_type_is_refused_and_not_logged(
    bots: Cluster, caplog: pytest.LogCaptureFixture, kind: object
) -> None:
    """Any chat type but Telegram's is refused, even one the guard cannot hash or compare."""
    caplog.set_level(logging.DEBUG, logger="bot")
    person = {"id": USER, "is_bot": False, "first_name": "Robin"}
    chat = {"id": USER, "type": kind}
    message = {"message_id": 1, "date": 1, "chat": chat, "from": person, "text": "/export"}
    before, sent = await people_keys(bots), all_sent(bots)

    update_id = next(FORGED_IDS)
    answer = await bots.replicas[0].post(json.dumps({"update_id": update_id, "message": message}))

    assert answer.status_code == 200
    assert "refused an update from a other chat" in caplog.text
    assert "secret" not in caplog.text
    assert "update failed" not in caplog.text  # the guard itself did not fail
    assert await people_keys(bots) == before
    assert all_sent(bots) == sent
