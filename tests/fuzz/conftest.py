"""Fuzz targets: a dedicated run (HYPOTHESIS_PROFILE=long) has no per-test timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage.client import RedisClient
from tests.e2e.harness import Harness, harness_for
from tests.fuzz.budget import LONG


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """10,000 examples through the real bot take minutes, not the usual 60 s."""
    if not LONG:
        return
    for item in items:
        if "tests/fuzz/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.timeout(0))


@pytest.fixture
async def bot(redis_url: str, redis_client: RedisClient) -> AsyncIterator[Harness]:
    """One running bot per test function, shared by all of its examples."""
    async with harness_for(redis_url, redis_client) as harness:
        harness.emu.add_user(9_001, first_name="Ada")
        harness.emu.add_group(-100_111, "Twitchy friends")
        harness.emu.add_group(-100_222, "Twitchy supergroup", "supergroup")
        harness.emu.add_group(-100_333, "Sleep news", "channel")
        yield harness
