"""Fixtures for fault tests: a Redis of the test's own that keeps its data across restarts,
and the Redis a mid-operation fault hits, on one server or on the cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.backends import CLUSTER
from tests.faults.targets import ClusterTarget, RedisTarget, ServerTarget
from tests.redis_server import RedisServer, require_binary


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server with AOF (appendfsync always): stop() and start() keep the data."""
    server = RedisServer(require_binary(), tmp_path, appendonly=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis_target(
    request: pytest.FixtureRequest, redis_backend: str
) -> AsyncIterator[RedisTarget]:
    """The durable server (single), or the session's cluster, emptied, with every script's
    keys audited to one slot (cluster)."""
    if redis_backend == CLUSTER:
        request.getfixturevalue("slot_audit")
        target: RedisTarget = await ClusterTarget.ready(request.getfixturevalue("redis_cluster"))
    else:
        target = await ServerTarget.ready(request.getfixturevalue("durable_redis"))
    try:
        yield target
    finally:
        await target.client.aclose()
