"""Fixtures shared by all test layers: a real redis-server, a client flushed per test, a Store."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from bot.store import Store, connect
from tests.redis_server import RedisServer, RedisServerError, require_binary


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session on a free 127.0.0.1 port. Fails if none is installed.

    Tests may stop() it to simulate an outage; the next test's redis_client starts it again.
    """
    try:
        server = RedisServer(require_binary(), tmp_path_factory.mktemp("redis-server"))
        server.start()
    except RedisServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the running test server."""
    redis_server.ensure_running()
    return redis_server.url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A client to an emptied test server; closed after the test."""
    client = connect(redis_url)
    try:
        await client.flushall()
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def store(redis_client: Redis) -> Store:
    """A Store over the per-test client."""
    return Store(redis_client)


# python-telegram-bot 22 warns unless its timedelta behaviour is opted into; the bot opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")
