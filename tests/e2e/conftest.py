"""Fixtures for end-to-end tests: the real bot against the Bot API emulator and real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import Harness, harness_for


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    """A running bot in polling mode, a person called Robin, and a clock at 08:00 UTC."""
    async with harness_for(redis_url, redis_client) as harness:
        yield harness
