"""/delete leaves no trace of the person anywhere in Redis: no key and no value holding their
id, with everything production runs switched on (the Redis rate limiter keeps a bucket per
chat) and after a whole day of use: check-ins, /urgent reports, a morning sleep answer, outbox
markers, a due-queue entry, a conversation in progress, an exercise done in the Mini App."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import as_bytes, check_in, enrol, rate_limited_harness, values_of, walk
from tests.webapp.server import serving

OTHER = 515151
DELETED = "Everything I had stored about you is deleted"


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with rate_limited_harness(redis_url, redis_client) as harness:
        harness.emu.add_user(USER, first_name="Robin")
        harness.emu.add_user(OTHER, first_name="Sam")
        yield harness


async def traces(redis: RedisClient, user_id: int) -> list[str]:
    """Keys whose name or any value mentions the id."""
    needle = str(user_id).encode()
    found = []
    async for key in redis.scan_iter(count=1000):
        name = as_bytes(key)
        if needle in name:
            found.append(name.decode())
        elif any(needle in value for value in await values_of(redis, name)):
            found.append(f"value of {name.decode()}")
    return found


async def test_delete_leaves_no_key_or_value_with_the_persons_id(bot: Harness) -> None:
    for user in (USER, OTHER):
        await enrol(bot, user=user)
        await check_in(bot, user=user)
    await walk(bot, bot.clock.now() + timedelta(days=1))  # nudges sent: outbox markers
    await bot.tap("7 to 8 hours")  # the morning sleep answer is kept for the day
    await bot.send("/urgent")  # a conversation left open
    for user in (USER, OTHER):  # as POST /app/api/exercise stores it
        await bot.store.record_exercise(user, "eyes", 2, bot.clock.now())
    before = await traces(bot.redis, USER)
    assert f"u:{{{USER}}}:exercises" in before
    assert len(before) >= 6
    others_before = await traces(bot.redis, OTHER)

    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")

    assert DELETED in bot.last().text
    assert await traces(bot.redis, USER) == []
    assert await traces(bot.redis, OTHER) == others_before  # the other person is untouched


async def test_delete_from_the_mini_app_is_the_same_as_in_the_chat(
    redis_url: str, redis_client: RedisClient
) -> None:
    """Confirmed on the page: no trace (the rate limiter on, so the chat's notice makes a
    bucket that must go too), the chat is told and loses the ⚡ keyboard, and the menu button
    stops opening a diary that no longer exists."""
    async with serving(redis_url, redis_client, rate_limit=True) as webapp:
        bot = webapp.harness
        await enrol(bot)
        await check_in(bot)
        await webapp.post("exercise", {"kind": "eyes", "day": 1})
        assert bot.emu.menu_button(USER)["type"] == "web_app"
        assert len(await traces(bot.redis, USER)) >= 4

        answer = await webapp.post("delete", {"confirm": True})

        assert answer.json() == {"deleted": True}
        assert DELETED in bot.last().text
        assert bot.last().reply_keyboard == {"remove_keyboard": True}
        assert bot.emu.menu_button(USER)["type"] == "default"
        assert await traces(bot.redis, USER) == []
