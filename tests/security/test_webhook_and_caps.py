"""The webhook refuses calls without the right secret (fuzzed), and input size is capped
everywhere: huge webhook bodies, 10,000-character messages and oversized callback data are
answered politely and never stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.ops.webhook import MAX_BODY_BYTES
from bot.storage.client import RedisClient
from tests.e2e.harness import USER, Harness, harness_for
from tests.e2e.replicas import SECRET, Cluster, cluster
from tests.e2e.steps import CONSENT_BUTTON, enrol, keyspace
from tests.fuzz.budget import fuzz

STALE = "This button has expired. Please use the latest message."
VISIBLE_ASCII = "".join(chr(c) for c in range(33, 127))
NEAR_MISSES = [
    SECRET.upper(),
    SECRET.lower(),
    SECRET[:-1],
    SECRET + "x",
    SECRET[1:],
    "x" + SECRET,
    SECRET[:5] + ("A" if SECRET[5] != "A" else "B") + SECRET[6:],
    SECRET * 2,
    "",
]


@pytest.fixture
async def bots(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client, count=1) as running:
        yield running


@fuzz(60)
@given(secret=st.one_of(st.sampled_from(NEAR_MISSES), st.text(VISIBLE_ASCII, max_size=300)))
@example(secret=SECRET.swapcase())
async def test_any_other_secret_is_refused_and_changes_nothing(bots: Cluster, secret: str) -> None:
    if secret == SECRET:
        return
    update_id = await bots.emu.send_text(USER, "/start")
    body = json.dumps(bots.emu.pending_updates[-1])
    (replica,) = bots.replicas

    answer = await replica.post(body, secret=secret)

    assert answer.status_code == 403
    assert answer.content == b""
    assert bots.messages() == []
    assert await keyspace(bots) == []
    assert not bots.emu.is_acknowledged(update_id)


async def test_no_secret_header_is_refused(bots: Cluster) -> None:
    await bots.emu.send_text(USER, "/start")
    body = json.dumps(bots.emu.pending_updates[-1])

    answer = await bots.replicas[0].post(body, secret=None)

    assert answer.status_code == 403
    assert await keyspace(bots) == []


async def test_a_body_over_the_cap_is_refused_unread(bots: Cluster) -> None:
    await bots.emu.send_text(USER, "/start")
    update = bots.emu.pending_updates[-1]
    update["message"]["text"] = "x" * (MAX_BODY_BYTES + 1)  # type: ignore[index]

    answer = await bots.replicas[0].post(json.dumps(update), secret=SECRET)

    assert answer.status_code == 400
    assert bots.messages() == []
    assert await keyspace(bots) == []


def deep(levels: int) -> str:
    return '{"update_id": 7, "message": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", 10**20), ("date", -(10**20)), ("edit_date", 10**20), ("date", 1e308)],
)
async def test_an_out_of_range_date_gets_400_without_a_trace(
    bots: Cluster, caplog: pytest.LogCaptureFixture, field: str, value: float
) -> None:
    await bots.emu.send_text(USER, "/start secret-words")
    update = bots.emu.pending_updates[-1]
    update["message"][field] = value  # type: ignore[index]

    answer = await bots.replicas[0].post(json.dumps(update))

    assert answer.status_code == 400
    assert answer.content == b""
    assert "secret-words" not in caplog.text
    assert bots.messages() == []
    assert await keyspace(bots) == []


@pytest.mark.parametrize("levels", [33, 1_000, 100_000])
async def test_json_nested_too_deep_gets_400_unparsed(bots: Cluster, levels: int) -> None:
    answer = await bots.replicas[0].post(deep(levels))

    assert answer.status_code == 400
    assert answer.content == b""
    assert await keyspace(bots) == []


# --- polling: long messages and oversized callback data ------------------------------------

LONG = "Ω" * 10_000
MAX_VALUE_BYTES = 2048  # a flow or profile document stays small whatever was typed


async def biggest_value(bot: Harness) -> int:
    sizes = [await bot.redis.memory_usage(key) or 0 for key in await keyspace(bot)]
    return max(sizes, default=0)


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    async with harness_for(redis_url, redis_client) as harness:
        yield harness


async def test_ten_thousand_characters_at_every_step_are_capped(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap(CONSENT_BUTTON)
    for answer in (LONG, "London", LONG, "07:00", LONG):  # zone, wake and bed steps
        await bot.send(answer)
    await bot.send("23:00")
    await bot.tap("Yesterday")
    await bot.send(LONG)  # no conversation
    await bot.send("/settings")
    await bot.tap("🌍 Time zone")
    await bot.send(LONG)

    assert all(len(m.text) < 1000 for m in bot.messages())  # never echoed in full
    assert await biggest_value(bot) < MAX_VALUE_BYTES
    dumps = [await bot.redis.dump(key) or b"" for key in await keyspace(bot)]
    assert not [d for d in dumps if "Ω".encode() * 100 in d]  # the long text is not kept


@pytest.mark.parametrize("size", [65, 1000, 10_000])
async def test_oversized_callback_data_is_stale_and_stores_nothing(bot: Harness, size: int) -> None:
    await enrol(bot)
    before = {k: await bot.redis.dump(k) for k in await keyspace(bot)}

    await bot.tap_raw("1:ci:" + "a" * (size - 5), bot.last().message_id)

    assert bot.last_answer() == STALE
    assert {k: await bot.redis.dump(k) for k in await keyspace(bot)} == before
