"""What /healthz and /metrics report: Redis reachability, queue lag and how many people are active.

Both cost O(queue shards) Redis round trips in one pipeline each, whatever the number of people,
so a load balancer and Prometheus may ask as often as they like.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Final

from redis.exceptions import RedisError

from bot.core.context import App

log = logging.getLogger(__name__)

# A Redis that does not answer a PING within this long counts as unreachable.
REDIS_TIMEOUT: Final = 2.0


@dataclass(frozen=True)
class Health:
    """One health check's findings; `healthy` decides 200 or 503."""

    healthy: bool
    status: str  # ok, starting, stopping, redis_unreachable, lagging
    redis: bool
    queue_lag_seconds: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "redis": self.redis,
            "queue_lag_seconds": self.queue_lag_seconds,
        }


async def check(app: App, max_lag: float) -> Health:
    """Healthy when started, not shutting down, Redis answers and the queue keeps up."""
    data = app.bot_data
    if not data.started:
        return Health(False, "starting", redis=False, queue_lag_seconds=None)
    if data.dispatcher.stopping.is_set():
        # Draining: a load balancer should send new work to the other replicas.
        return Health(False, "stopping", redis=True, queue_lag_seconds=None)
    lag = await _queue_lag(app)
    if lag is None:
        return Health(False, "redis_unreachable", redis=False, queue_lag_seconds=None)
    data.metrics.queue_lag.set(lag)
    if lag > max_lag:
        return Health(False, "lagging", redis=True, queue_lag_seconds=lag)
    return Health(True, "ok", redis=True, queue_lag_seconds=lag)


async def refresh_gauges(app: App) -> None:
    """Bring the lag and active-people gauges up to date; keep the old values if Redis is down."""
    if not app.bot_data.started:
        return
    services = app.bot_data.services
    metrics = app.bot_data.metrics
    try:
        async with asyncio.timeout(REDIS_TIMEOUT):
            lag = await services.queue.oldest_due(services.clock.now())
            active = await services.queue.size()
            parked = await services.queue.parked_count()
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning("metrics: Redis did not answer (%s)", type(exc).__name__)
        return
    metrics.queue_lag.set(lag)
    metrics.active_people.set(active)
    metrics.parked_people.set(parked)


async def _queue_lag(app: App) -> float | None:
    """PING, then the queue lag in seconds; None if Redis cannot be reached."""
    services = app.bot_data.services
    try:
        async with asyncio.timeout(REDIS_TIMEOUT):
            await services.store.redis.ping()
            return await services.queue.oldest_due(services.clock.now())
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning("health: Redis did not answer (%s)", type(exc).__name__)
        return None
