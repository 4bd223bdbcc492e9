"""Arbitrary bodies posted to a real webhook replica, with the right secret.

Random JSON of any shape, nesting thousands of levels deep, huge or negative numbers, and real
updates with one field replaced by a value of the wrong type or range (a date in the year
10**12, a chat id that is a list, text that is an object). Whatever comes in, the answer is 200
(an update the bot handled, or one it has seen) or 400 (not an update): never a 500, and never
a trace in the body.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.storage.client import RedisClient
from tests.e2e.harness import USER
from tests.e2e.replicas import Cluster, cluster
from tests.fuzz.budget import fuzz

_update_ids = itertools.count(1_000_000)

HUGE = st.one_of(
    st.integers(),
    st.sampled_from([10**20, -(10**20), 2**63, -(2**63) - 1, 2**64, 10**400]),
    st.floats(allow_nan=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), HUGE, st.text(max_size=40))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
# Fields of a real update that a forged one could get wrong.
PATHS = [
    ("update_id",),
    ("message",),
    ("message", "date"),
    ("message", "message_id"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "text"),
    ("message", "entities"),
    ("message", "reply_to_message"),
    ("callback_query",),
]


def real_update(text: str) -> dict[str, Any]:
    """A message as Telegram sends it, from Robin in Robin's chat."""
    person = {"id": USER, "is_bot": False, "first_name": "Robin"}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": 1,
            "date": 1_774_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "Robin"},
            "from": person,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


@st.composite
def broken_updates(draw: st.DrawFn) -> dict[str, Any]:
    update = real_update(draw(st.sampled_from(["/help", "/today", "/urgent", "/faq"])))
    *parents, last = draw(st.sampled_from(PATHS))
    target = update
    for key in parents:
        target = target[key]
    target[last] = draw(JSON)
    return update


@st.composite
def nested(draw: st.DrawFn) -> str:
    levels = draw(st.integers(1, 200_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    inside = opener * levels + "1" + closer * levels
    return json.dumps({"update_id": next(_update_ids), "message": "@"}).replace('"@"', inside)


BODIES = st.one_of(
    JSON.map(json.dumps),
    st.builds(lambda doc: json.dumps({"update_id": next(_update_ids), "message": doc}), JSON),
    broken_updates().map(json.dumps),
    nested(),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
)


@pytest.fixture
async def bots(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Cluster]:
    async with cluster(redis_url, redis_client, count=1) as running:
        yield running


@fuzz(150)
@given(body=BODIES)
@example(body=json.dumps({**real_update("/help"), "message": {"date": 10**20}}))
@example(body='{"update_id": 5, "message": ' + "[" * 100_000 + "]" * 100_000 + "}")
async def test_the_webhook_answers_200_or_400_never_500(bots: Cluster, body: str) -> None:
    answer = await bots.replicas[0].post(body.encode("utf-8", "surrogatepass"))

    assert answer.status_code in (200, 400), body[:200]
    assert b"Traceback" not in answer.content
