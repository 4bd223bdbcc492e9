"""Fixtures for fault tests: a Redis of the test's own that keeps its data across restarts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
