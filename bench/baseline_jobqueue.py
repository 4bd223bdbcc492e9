"""The baseline: python-telegram-bot's timer-example pattern, one run_daily job per person per slot.

    python -m bench.baseline_jobqueue   (JSON parameters on stdin; run by bench.scale)

The same bot (``build_application``), but at start-up it reads every enrolled profile from
Redis (SCAN + MGET, as a bot without our due queue must) and creates a morning and an evening
``job_queue.run_daily`` job per person, in post_init, before the JobQueue starts (as
``run_polling`` would order it). Adding one person is two ``run_daily`` calls; removing one is
the example's ``get_jobs_by_name(name)`` + ``schedule_removal()``.

Above ``cap`` people only the first ``cap`` are loaded; the caller extrapolates from them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import Spread, emit, read_params, rss_mb
from bench.ours import settings_for
from bot.core.context import App, Context
from bot.domain.clock import SystemClock
from bot.domain.models import Profile
from bot.domain.plan import evening_time
from bot.storage.client import RedisClient
from bot.storage.store import PROFILE, parse_profile, person_key

# Every profile key: the store's own key with a wildcard for the id (braces are literal in
# Redis glob patterns).
PROFILE_PATTERN = person_key(0, PROFILE).replace("{0}", "{*}")


async def _nudge(context: Context) -> None:
    """The jobs' callback (a real bot would render and send the nudge here)."""


def add_jobs(app: App, profile: Profile) -> None:
    """The timer example: one run_daily per slot, named after the person."""
    assert app.job_queue is not None
    assert profile.zone is not None
    assert profile.wake_time is not None
    assert profile.bedtime is not None
    zone = ZoneInfo(profile.zone)
    name = str(profile.user_id)
    for at in (profile.wake_time, evening_time(profile.bedtime)):
        app.job_queue.run_daily(
            _nudge, time=at.replace(tzinfo=zone), name=name, chat_id=profile.chat_id
        )


def remove_jobs(app: App, user_id: int) -> int:
    """The timer example's removal: find the person's jobs by name, schedule their removal."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(str(user_id))
    for job in jobs:
        job.schedule_removal()
    return len(jobs)


async def load_everyone(app: App, redis: RedisClient, cap: int) -> int:
    """Read up to `cap` profiles (SCAN + MGET) and create their jobs."""
    loaded, cursor = 0, 0
    while True:
        cursor, keys = await redis.scan(cursor, match=PROFILE_PATTERN, count=5_000)
        keys = keys[: cap - loaded]
        for key, raw in zip(keys, await redis.mget(keys) if keys else [], strict=True):
            if raw is not None:
                add_jobs(app, parse_profile(_user_id(key), raw))
                loaded += 1
        if cursor == 0 or loaded >= cap:
            return loaded


def _user_id(key: bytes | str) -> int:
    text = key.decode() if isinstance(key, bytes) else key
    return int(text.split("{", 1)[1].split("}", 1)[0])


async def baseline(params: dict[str, Any]) -> dict[str, Any]:
    from bot.ops.app import build_application  # noqa: PLC0415 - import time is not start-up

    app = build_application(settings_for(params, tick_seconds=0), clock=SystemClock())
    began = time.perf_counter()
    async with app:
        assert app.post_init is not None
        assert app.post_shutdown is not None
        await app.post_init(app)
        app_ready, rss_app = time.perf_counter(), rss_mb()
        redis = app.bot_data.services.store.redis
        loaded = await load_everyone(app, redis, int(params["cap"]))
        await app.start()  # the JobQueue starts: every pending job gets its next run time
        await asyncio.sleep(0)
        started = time.perf_counter()
        result = {
            "loaded": loaded,
            "app_s": app_ready - began,
            "load_s": started - app_ready,
            "startup_s": started - began,
            "rss_app_mb": rss_app,
            "rss_mb": rss_mb(),
            "jobs": len(app.job_queue.scheduler.get_jobs()) if app.job_queue else 0,
            **await _add_remove(app, redis, int(params["repeats"])),
        }
        await app.stop()
        await app.post_shutdown(app)
    return result


async def _add_remove(app: App, redis: RedisClient, repeats: int) -> dict[str, Any]:
    """Add one person's two jobs, then remove them as the timer example does."""
    _, keys = await redis.scan(0, match=PROFILE_PATTERN, count=100)
    raw = await redis.get(keys[0])
    assert raw is not None
    template = parse_profile(_user_id(keys[0]), raw)
    added, removed = [], []
    for index in range(repeats):
        person = template.model_copy(update={"user_id": 990_000_000 + index})
        began = time.perf_counter()
        add_jobs(app, person)
        await asyncio.sleep(0)  # the scheduler's wake-up runs on the loop
        added.append(time.perf_counter() - began)
        began = time.perf_counter()
        if remove_jobs(app, person.user_id) != 2:
            raise AssertionError("the timer example's removal did not find both jobs")
        await asyncio.sleep(0)
        removed.append(time.perf_counter() - began)
    return {"add": Spread.of(added).to_dict(), "remove": Spread.of(removed).to_dict()}


def main() -> None:
    emit(asyncio.run(baseline(read_params())))


if __name__ == "__main__":
    main()
