"""Settings that cannot work are refused at start-up, with one line naming the variable.

The class: a value each field accepts on its own, but that the scheduler can never run with
(a global rate whose bucket never holds what a scheduled send needs, ticks so far apart that
wind-down nudges go stale or /healthz fails between them, a polling bot that never ticks).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.config import Settings, SettingsError, load_settings
from bot.storage.client import RedisClient
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from scheduler.ratelimit import PRIORITY_BULK, RedisRateLimiter
from tests.redis_server import free_port

START = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)


RATES = [0.5, 1.0, 1.2, 1.249, 1.25, 1.3, 2.0, 30.0]


def accepted(rate: float) -> Settings | None:
    """The settings with this global rate, or None if start-up refuses it."""
    try:
        return load_settings(_env_file=None, global_rate=rate)
    except SettingsError:
        return None


@pytest.mark.parametrize("rate", RATES)
async def test_every_accepted_global_rate_grants_a_scheduled_send(
    rate: float, redis_client: RedisClient
) -> None:
    """Either the rate is refused, or a fresh bucket grants a scheduled send within a few
    waits (the waits move a manual clock, so a rate that never grants fails at once)."""
    settings = accepted(rate)
    if settings is None:
        return
    clock = ManualClock(START)
    limiter = RedisRateLimiter(redis_client, clock, global_rate=settings.global_rate)
    for _ in range(5):
        wait_us = await limiter.try_acquire(1, PRIORITY_BULK)
        if wait_us == 0:
            return
        await clock.sleep(wait_us / 1_000_000)
    pytest.fail(f"global rate {rate} was accepted but never grants a scheduled send")


@pytest.mark.parametrize("rate", [rate for rate in RATES if rate < 1.25])
def test_a_rate_too_low_for_scheduled_sends_is_refused_in_one_line(rate: float) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, global_rate=rate)
    assert str(refused.value).splitlines() == [
        "TWITCHCARE_GLOBAL_RATE: must be at least 1.25 with the rate limit on: "
        "below that no scheduled nudge ever gets its turn"
    ]


def test_a_low_rate_is_fine_with_the_rate_limit_off() -> None:
    assert load_settings(_env_file=None, global_rate=1.0, rate_limit=False).global_rate == 1.0


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"global_rate": 1.0}, "GLOBAL_RATE"),
        ({"tick_seconds": 3600}, "TICK_SECONDS"),
        ({"tick_seconds": 300}, "TICK_SECONDS"),
        ({"tick_seconds": 60, "health_max_lag_seconds": 30}, "TICK_SECONDS"),
        ({"queue_shards": 0}, "QUEUE_SHARDS"),
        ({"send_concurrency": 0}, "SEND_CONCURRENCY"),
    ],
)
def test_settings_that_cannot_work_are_refused_in_one_line(
    overrides: dict[str, Any], variable: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, **overrides)
    lines = str(refused.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"TWITCHCARE_{variable}: ")


def test_polling_without_ticks_is_refused_at_start_up(redis_url: str) -> None:
    """`twitchcare run` with TWITCHCARE_TICK_SECONDS=0 would poll forever and nudge nobody."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TWITCHCARE_")}
    env.update(
        TWITCHCARE_BOT_TOKEN=DEFAULT_TOKEN,
        TWITCHCARE_REDIS_URL=redis_url,
        TWITCHCARE_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
        TWITCHCARE_TICK_SECONDS="0",
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "TWITCHCARE_TICK_SECONDS: 0 sends no nudges; polling needs ticks"
    ]
