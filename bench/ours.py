"""Our design, measured: tick cost, claim + complete of 1,000, start-up/RSS and throughput.

The tick and claim + complete timings run in the calling process against the seeded Redis.
Start-up and throughput run in a fresh process (``python -m bench.ours``, JSON on stdin) so
RSS is the bot's own and the dispatcher can be pinned to one core.
"""

from __future__ import annotations

import asyncio
import importlib
import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from pydantic import SecretStr
from telegram.ext import ExtBot

from bench.common import Spread, emit, read_params, rss_mb
from bench.seed import SEED_NOW, Batch
from bench.stub_api import fetch_stats
from bot.core.config import Settings
from bot.storage.client import RedisClient
from bot.storage.store import Store
from bot.texts.content import load_content
from content import CONTENT_ROOT
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatchSettings
from scheduler.queue import Claim, DueQueue

BENCH_TOKEN = "123456789:BENCH-token_for-the-stub-api"


def _dispatcher(redis: RedisClient, clock: ManualClock) -> Dispatcher:
    """A real dispatcher; its bot is never called, because nothing it claims is sent here."""
    queue = DueQueue(redis)
    content = load_content(Path(CONTENT_ROOT), "en")
    return Dispatcher(cast(ExtBot[Any], None), Store(redis), queue, content, clock)


async def tick_cost(redis: RedisClient, runs: int) -> Spread:
    """Dispatcher.tick() when nothing is due: one claim script per shard, nothing written."""
    dispatcher = _dispatcher(redis, ManualClock(SEED_NOW))
    seconds = []
    for _ in range(runs + 5):
        began = time.perf_counter()
        stats = await dispatcher.tick()
        seconds.append(time.perf_counter() - began)
        if stats.claimed:
            raise AssertionError("the nothing-due tick claimed someone; the seed is wrong")
    return Spread.of(seconds[5:])  # the first ticks load the scripts


async def claim_complete(
    redis: RedisClient, user_ids: range, runs: int, people: int = 1_000, *, per_person: bool = False
) -> Spread:
    """Claim `people` due members and complete each with its next due time, as a tick does.

    Shard by shard: one claim script, then the shard's completes in one pipeline
    (`DueQueue.complete_many`, what the dispatcher does). With `per_person`, one round trip per
    complete instead (the dispatcher before it batched them), for comparison. Between runs the
    same people are made due again (not timed).
    """
    queue = DueQueue(redis)
    settings = DispatchSettings()
    chosen = random.Random(5).sample(user_ids, min(people, len(user_ids)))
    # The same "now" every run: later instants would make seeded people due too. Each run's
    # lease score is still unique (the queue's lease floor), so nothing is mixed up.
    now, later = SEED_NOW, SEED_NOW + timedelta(days=1)
    slots = asyncio.Semaphore(settings.concurrency)

    async def complete(claim: Claim) -> None:
        async with slots:
            await queue.complete_many([(claim, later)])

    seconds = []
    for _ in range(runs + 2):
        await _make_due(redis, queue, chosen, now - timedelta(seconds=1))
        began, claimed = time.perf_counter(), 0
        for shard in range(queue.shards):
            claims = await queue.claim(shard, now, limit=settings.batch, lease=settings.lease)
            claimed += len(claims)
            if per_person:
                await asyncio.gather(*(complete(claim) for claim in claims))
            elif not all(await queue.complete_many([(claim, later) for claim in claims])):
                raise AssertionError("a complete lost its lease")
        seconds.append(time.perf_counter() - began)
        if claimed != len(chosen):
            raise AssertionError(f"claimed {claimed} of {len(chosen)}")
    return Spread.of(seconds[2:])


async def add_remove(redis: RedisClient, runs: int) -> tuple[Spread, Spread]:
    """What enrolling and deleting a person costs the scheduler: one schedule, one remove."""
    queue = DueQueue(redis)
    added, removed = [], []
    for index in range(runs):
        user_id = 980_000_000 + index
        began = time.perf_counter()
        await queue.schedule(user_id, SEED_NOW + timedelta(hours=1))
        added.append(time.perf_counter() - began)
        began = time.perf_counter()
        await queue.remove(user_id)
        removed.append(time.perf_counter() - began)
    return Spread.of(added), Spread.of(removed)


async def _make_due(redis: RedisClient, queue: DueQueue, users: list[int], at: datetime) -> None:
    batch = Batch(redis.pipeline(transaction=False), queue)
    for user_id in users:
        batch.schedule(user_id, at)
    await batch.pipe.execute()


# --- the worker process ---------------------------------------------------------------------


def settings_for(params: dict[str, Any], *, tick_seconds: float) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=SecretStr(BENCH_TOKEN),
        redis_url=params["redis_url"],
        api_base_url=f"http://127.0.0.1:{params['stub_port']}/bot",
        tick_seconds=tick_seconds,
        rate_limit=False,
    )


async def startup(params: dict[str, Any]) -> dict[str, Any]:
    """Build the Application and run post_init with N people in Redis; then RSS."""
    began = time.perf_counter()
    from bot.ops.app import build_application, running  # noqa: PLC0415 - import time is measured

    imported = time.perf_counter()
    clock = ManualClock(SEED_NOW)
    app = build_application(settings_for(params, tick_seconds=1.0), clock=clock)
    async with running(app):
        started = time.perf_counter()
        rss = rss_mb()
        stats = await app.bot_data.dispatcher.tick()
        return {
            "import_s": imported - began,
            "startup_s": started - imported,
            "rss_mb": rss,
            "rss_after_tick_mb": rss_mb(),
            "claimed": stats.claimed,
        }


async def throughput(params: dict[str, Any]) -> dict[str, Any]:
    """Tick until the due cohort is sent, rate limiting off; sends per wall and CPU second."""
    from bot.ops.app import build_application, running  # noqa: PLC0415

    clock = ManualClock(datetime.fromisoformat(params["now"]))
    app = build_application(settings_for(params, tick_seconds=0), clock=clock)
    async with running(app):
        dispatcher = app.bot_data.dispatcher
        before = await sent_messages(params["stub_port"])
        # Several workers sharing one queue start together (bench.sendpath), all set up.
        await asyncio.sleep(max(0.0, float(params.get("start_at", 0)) - time.time()))
        began = time.time()
        wall, cpu = time.perf_counter(), time.process_time()
        people, outcomes = 0, dict[str, int]()
        while True:
            stats = await dispatcher.tick()
            if not stats.claimed:
                break
            people += stats.claimed
            for key, value in stats.outcomes.items():
                outcomes[key] = outcomes.get(key, 0) + value
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ended = time.time()
        sent = await sent_messages(params["stub_port"]) - before
        rss = rss_mb()
        reference = await _bare_sends(app.bot, int(params.get("reference", 1_000)))
        return {
            "people": people,
            "messages": sent,
            "outcomes": outcomes,
            "wall_s": wall,
            "cpu_s": cpu,
            "rss_mb": rss,
            "reference": reference,
            "began": began,
            "ended": ended,
        }


async def sent_messages(port: int) -> int:
    """sendMessage requests the stub has answered, from every process (the lean path names
    the method in lower case, as Telegram allows)."""
    stats = await fetch_stats(port)
    return sum(count for method, count in stats.items() if method.lower() == "sendmessage")


async def _bare_sends(bot: ExtBot[Any], count: int) -> dict[str, float]:
    """The floor: python-telegram-bot's send_message alone to the same stub, same concurrency."""
    slots = asyncio.Semaphore(DispatchSettings().concurrency)

    async def one(index: int) -> None:
        async with slots:
            await bot.send_message(1_000 + index, "Reference <b>message</b>")

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(count)))
    return {
        "messages": count,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }


def main() -> None:
    params = read_params()
    work = {"startup": startup, "throughput": throughput}[params["what"]]
    profile_to = params.get("profile_to")
    if not profile_to:
        emit(asyncio.run(work(params)))
        return
    # pip install pyinstrument (not a dependency): a text profile of the whole run.
    profiler = importlib.import_module("pyinstrument").Profiler(async_mode="enabled")
    with profiler:
        result = asyncio.run(work(params))
    every = bool(params.get("profile_all"))
    Path(profile_to).write_text(profiler.output_text(unicode=False, show_all=every, flat=every))
    emit(result)


if __name__ == "__main__":
    main()
