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
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from bot.storage.client import RedisClient
from devtools.emulator import BotApiEmulator
from tests.e2e.harness import START, USER, Harness
from tests.e2e.processes import ProcessCluster, process_cluster
from tests.e2e.replicas import Cluster, cluster
from tests.e2e.steps import check_in, enrol
from tests.factories import add_checkins, make_profile, make_record

SAM = 515151  # enrolled too: someone whose data a forged update could try to read
STRANGER = 616161  # no data, not an operator
ADMIN = 999_001
GROUP, SUPERGROUP = -1001234567890, -1002222222222
COMMANDS = ["/start", "/today", "/checkin", "/twitch", "/progress", "/pause", "/resume",
            "/settings", "/export", "/delete", "/stop", "/help", "/faq", "/urgent",
            "/stats"]  # fmt: skip
GONE = "command_deleted"  # the group's anti-spam bot deleted the /command before we answered
MESSAGE_FAULTS = ["server_error", "forbidden", "disconnect", GONE]
TAP_FAULTS = ["server_error", "forbidden", "disconnect"]
NOTHING_STORED = "Nothing from this group has been stored."

FORGED_IDS = itertools.count(900_000)

Snapshot = dict[bytes, bytes | None]


@pytest.fixture
async def bots(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client, admin_user_ids=(ADMIN,)) as running:
        for user, name in ((SAM, "Sam"), (STRANGER, "Kim"), (ADMIN, "Ops")):
            running.emu.add_user(user, first_name=name)
        running.emu.add_group(GROUP, "Twitchy friends")
        running.emu.add_group(SUPERGROUP, "Twitchy supergroup", "supergroup")
        await enrol(running)
        await enrol(running, user=SAM)
        await check_in(running, finish=None)  # a check-in in progress, with live buttons
        yield running


async def people_keys(redis: RedisClient) -> Snapshot:
    """Every key but the webhook's update ledger, with a serialised copy of its value."""
    keys = [key async for key in redis.scan_iter(count=1000) if not key.startswith(b"upd:")]
    return {key: await redis.dump(key) for key in keys}


def button_data(bot: Harness, user: int = USER) -> list[tuple[int, str]]:
    """(message id, callback data) of every button the bot has shown the person."""
    messages = bot.messages(user)
    return [(m.message_id, v) for m in messages for row in m.button_values for _, v in row if v]


def all_sent(emu: BotApiEmulator) -> dict[int, int]:
    """How many bot messages each chat shows."""
    chats = (USER, SAM, STRANGER, ADMIN, GROUP, SUPERGROUP)
    return {chat: len(emu.bot_messages(chat)) for chat in chats}


@dataclass(frozen=True)
class Before:
    """Redis and every chat before refused updates arrive."""

    keys: Snapshot
    sent: dict[int, int]


async def snapshot(emu: BotApiEmulator, redis: RedisClient) -> Before:
    return Before(await people_keys(redis), all_sent(emu))


async def failing(
    emu: BotApiEmulator,
    act: Callable[[], Awaitable[int]],
    fault: str,
    method: str,
    chat: int | None,
) -> int:
    """The update `act` creates, with its refusal set to fail as `fault`."""
    if fault != GONE:
        emu.inject_fault(method, chat_id=chat, kind=fault)
    update_id = await act()
    if fault == GONE:
        assert chat is not None
        emu.delete_message(chat, emu.chat(chat)[-1].message_id)
    return update_id


async def nothing_but_refusals(
    emu: BotApiEmulator, redis: RedisClient, was: Before, chat: int | None, updates: int = 1
) -> None:
    """Since `was`: RedisClient unchanged, nothing sent anywhere, and in `chat` at most one refusal
    per update, with no file."""
    assert await people_keys(redis) == was.keys, "a refused update changed Redis"
    now = all_sent(emu)
    for where in now:
        if where != chat:
            assert now[where] == was.sent[where], f"a refused update sent something to {where}"
    if chat is not None:
        new = emu.bot_messages(chat)[was.sent[chat] :]
        shown = [m.text[:60] for m in new]
        assert len(new) <= updates, f"a refused update got more than its refusal: {shown}"
        assert all(m.document is None and NOTHING_STORED in m.text for m in new), shown


async def refused(
    bot: Harness, act: Callable[[], Awaitable[int]], fault: str, method: str, chat: int | None
) -> None:
    """Deliver the update `act` creates with its refusal failing as `fault`, and check that
    nothing but (at most) the refusal happened."""
    was = await snapshot(bot.emu, bot.redis)
    await bot.settle(await failing(bot.emu, act, fault, method, chat))
    bot.emu.clear_faults()
    await nothing_but_refusals(bot.emu, bot.redis, was, chat)


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
        was = await snapshot(bots.emu, bots.redis)
        await bots.settle(await bots.emu.send_text(sender, text, chat))
        await nothing_but_refusals(bots.emu, bots.redis, was, None)  # not even a refusal


@pytest.mark.parametrize("kind", ["robins-secret-words", [], {"secret": 1}, 7, None])
async def test_a_forged_chat_type_is_refused_and_not_logged(
    bots: Cluster, caplog: pytest.LogCaptureFixture, kind: object
) -> None:
    """Any chat type but Telegram's is refused, even one the guard cannot hash or compare."""
    caplog.set_level(logging.DEBUG, logger="bot")
    person = {"id": USER, "is_bot": False, "first_name": "Robin"}
    chat = {"id": USER, "type": kind}
    message = {"message_id": 1, "date": 1, "chat": chat, "from": person, "text": "/export"}
    was = await snapshot(bots.emu, bots.redis)

    update_id = next(FORGED_IDS)
    answer = await bots.replicas[0].post(json.dumps({"update_id": update_id, "message": message}))

    assert answer.status_code == 200
    assert "refused an update from a other chat" in caplog.text
    assert "secret" not in caplog.text
    assert "update failed" not in caplog.text  # the guard itself did not fail
    await nothing_but_refusals(bots.emu, bots.redis, was, None)


@pytest.fixture
async def processes(
    redis_url: str, redis_client: RedisClient, tmp_path: Path
) -> AsyncIterator[ProcessCluster]:
    """Two replica processes, Robin with a profile and a check-in, an operator and two groups."""
    async with process_cluster(redis_url, redis_client, tmp_path, admins=(ADMIN,)) as running:
        running.emu.add_user(ADMIN, first_name="Ops")
        running.emu.add_group(GROUP, "Twitchy friends")
        running.emu.add_group(SUPERGROUP, "Twitchy supergroup", "supergroup")
        robin = make_profile(USER, consent_at=START, start_date=START.date())
        await running.store.save_profile(robin, expected_version=0)
        await add_checkins(running.store, USER, make_record())
        yield running


@pytest.mark.timeout(180)
async def test_group_commands_on_two_replica_processes_stay_refused_when_refusals_fail(
    processes: ProcessCluster,
) -> None:
    """Finding 1 across processes: every command, every way its refusal can fail, as two
    updates in a group (Robin's or the operator's) reaching the two replicas at the same moment.
    Both stop: nothing stored, nothing sent but refusals, no export in the group."""
    emu = processes.emu
    races = list(itertools.product(COMMANDS, MESSAGE_FAULTS))
    assert len(races) >= 50
    for race, (command, fault) in enumerate(races):
        group, sender = (GROUP, SUPERGROUP)[race % 2], (USER, ADMIN)[race // 2 % 2]
        was = await snapshot(emu, processes.redis)
        act = partial(emu.send_text, sender, command, group)
        one, two = [await failing(emu, act, fault, "sendMessage", group) for _ in "12"]

        await processes.at_the_same_moment((one, race % 2), (two, 1 - race % 2))

        emu.clear_faults()
        await nothing_but_refusals(emu, processes.redis, was, group, updates=2)
