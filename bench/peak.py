"""The morning peak, simulated: many people share one wake time, Telegram allows 30 msg/s.

Everyone in the cohort wakes at 08:00 in one zone, so their morning message (one message: the
day's step with "how did you sleep?" under it) is due at the same instant. The real Dispatcher
sends through the real RedisRateLimiter (global 30/s, per chat ~1/s, a reserve for interactive
replies) on a ManualClock whose sleep moves time: the drain is simulated, not waited for. The
bot object only stands in for the HTTP call; every token is taken in Redis.

    .venv/bin/python -m bench.peak [--people 200000]

prints issue 15's row. Below 200,000 people the drain is scaled up to 200,000, linearly: at a
fixed global rate the drain is messages / rate, and messages grow with people (one each).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from typing import Any, cast

from telegram.ext import ExtBot

from bench.redis_proc import BenchRedis
from bench.seed import seed_cohort
from bot.storage.client import RedisClient, connect
from bot.storage.store import Store
from bot.texts.content import load_content
from content import CONTENT_ROOT
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import Dispatcher, DispatchSettings
from scheduler.paid import PaidBroadcast
from scheduler.queue import DueQueue
from scheduler.ratelimit import Priority, RedisRateLimiter

PEAK_ZONE = "Europe/Berlin"
PEAK_WAKE = wall(8, 0)
FIRST_USER = 500_000_000
LAG_SAMPLE_EVERY = 500  # messages between two readings of the queue-lag metric
# Issue 15's "Done when" row.
TARGET_PEOPLE = 200_000
FIGURE = "morning peak, 200,000 people at 08:00, free tier"
GOAL_HOURS = 1.9


@dataclass
class SimulatedBot:
    """Stands in for ExtBot.do_api_request: takes a real token, records when each message left."""

    limiter: RedisRateLimiter
    clock: ManualClock
    queue: DueQueue
    due: datetime
    messages: int = 0
    first_message_late: dict[int, float] = field(default_factory=dict)
    token: str = "0:bench"  # keys the pseudonyms in the dispatcher's log lines
    lag: list[tuple[float, float]] = field(default_factory=list)  # (since due s, lag s)

    defaults: Any = None  # the dispatcher copies parse mode and previews from these
    paid: int = 0  # messages sent marked allow_paid_broadcast

    async def do_api_request(
        self, endpoint: str, api_kwargs: dict[str, Any], *, rate_limit_args: Priority
    ) -> None:
        chat_id = int(api_kwargs["chat_id"])
        await self.limiter.acquire(chat_id, rate_limit_args)
        self.paid += bool(api_kwargs.get("allow_paid_broadcast"))
        late = (self.clock.now() - self.due).total_seconds()
        self.first_message_late.setdefault(chat_id, late)
        self.messages += 1
        if self.messages % LAG_SAMPLE_EVERY == 0:
            self.lag.append((late, await self.queue.oldest_due(self.clock.now())))


@dataclass(frozen=True)
class PeakResult:
    people: int
    messages: int
    drain_s: float
    max_first_late_s: float
    outcomes: dict[str, int]
    lag: list[tuple[float, float]]
    real_s: float
    rate: float

    def lag_crossed(self, threshold_s: float) -> float | None:
        """Simulated seconds after the peak when the lag metric first exceeded threshold_s."""
        return next((at for at, lag in self.lag if lag > threshold_s), None)

    def max_lag(self) -> float:
        return max((lag for _, lag in self.lag), default=0.0)


async def morning_peak(redis: RedisClient, people: int, *, rate: float = 30.0) -> PeakResult:
    """Seed the cohort into an empty Redis, then tick until nothing is due."""
    probe = datetime(2026, 3, 20, 5, 0, tzinfo=UTC)  # before 08:00 in Berlin that day
    due = await seed_cohort(
        redis, first_user=FIRST_USER, size=people, zone=PEAK_ZONE, wake=PEAK_WAKE, after=probe
    )
    clock = ManualClock(due)
    queue = DueQueue(redis)
    limiter = RedisRateLimiter(redis, clock, global_rate=rate)
    bot = SimulatedBot(limiter, clock, queue, due)
    content = load_content(Path(CONTENT_ROOT), "en")
    # One send at a time: with a global limit, more in flight only wait together (and, on a
    # ManualClock, retry together); the drain rate is the limit either way.
    settings = DispatchSettings(concurrency=1)
    dispatcher = Dispatcher(cast(ExtBot[Any], bot), Store(redis), queue, content, clock, settings)
    outcomes: dict[str, int] = {}
    began = time.perf_counter()
    while True:
        stats = await dispatcher.tick()
        for key, value in stats.outcomes.items():
            outcomes[key] = outcomes.get(key, 0) + value
        if not stats.claimed:
            break
    last = (clock.now() - due).total_seconds()
    return PeakResult(
        people=people,
        messages=bot.messages,
        drain_s=last,
        max_first_late_s=max(bot.first_message_late.values(), default=0.0),
        outcomes=outcomes,
        lag=bot.lag,
        real_s=time.perf_counter() - began,
        rate=rate,
    )


@dataclass(frozen=True)
class PaidPeak:
    """The morning peak with paid broadcast on, drained by several dispatchers."""

    people: int
    messages: int
    paid: int
    budget: int
    drain_s: float
    outcomes: dict[str, int]
    real_s: float


async def paid_peak(
    redis: RedisClient, people: int, *, budget: int, dispatchers: int = 2, after_s: float = 60.0
) -> PaidPeak:
    """The same cohort with TWITCHCARE_PAID_BROADCAST on: `dispatchers` Dispatchers (two
    processes, simulated in one on the shared clock) tick the one queue; messages more than
    `after_s` late go paid, through the limiter's paid bucket, until `budget` is spent."""
    probe = datetime(2026, 3, 20, 5, 0, tzinfo=UTC)
    due = await seed_cohort(
        redis, first_user=FIRST_USER, size=people, zone=PEAK_ZONE, wake=PEAK_WAKE, after=probe
    )
    clock = ManualClock(due)
    queue = DueQueue(redis)
    bot = SimulatedBot(RedisRateLimiter(redis, clock), clock, queue, due)
    content = load_content(Path(CONTENT_ROOT), "en")
    paid = PaidBroadcast(redis, clock, daily_budget=budget, after=timedelta(seconds=after_s))
    outcomes: dict[str, int] = {}

    async def run_one() -> None:
        dispatcher = Dispatcher(
            cast(ExtBot[Any], bot),
            Store(redis),
            queue,
            content,
            clock,
            DispatchSettings(concurrency=1),
            paid=paid,
        )
        while (stats := await dispatcher.tick()).claimed:
            for key, value in stats.outcomes.items():
                outcomes[key] = outcomes.get(key, 0) + value

    began = time.perf_counter()
    await asyncio.gather(*(run_one() for _ in range(dispatchers)))
    return PaidPeak(
        people=people,
        messages=bot.messages,
        paid=bot.paid,
        budget=budget,
        drain_s=(clock.now() - due).total_seconds(),
        outcomes=outcomes,
        real_s=time.perf_counter() - began,
    )


def rows(
    people: int = TARGET_PEOPLE, *, redis_url: str | None = None
) -> list[tuple[str, str, str]]:
    """Issue 15's row as (figure, goal, measured), from a simulation of `people` people.

    Without redis_url a private redis-server is started and stopped; with one, that Redis is
    FLUSHALLed: only ever pass a throwaway server (tests do)."""
    return [row(asyncio.run(measure(people, redis_url=redis_url)))]


async def measure(people: int, *, redis_url: str | None = None) -> PeakResult:
    """The peak on a fresh Redis (our own server unless redis_url is given)."""
    server = None if redis_url else BenchRedis()
    if server is not None:
        server.start()
    redis = await connect(redis_url or (server.url if server else ""))
    try:
        await redis.flushall()
        return await morning_peak(redis, people)
    finally:
        await redis.flushall()
        await redis.aclose()
        if server is not None:
            server.stop()


def row(peak: PeakResult) -> tuple[str, str, str]:
    """The drain at 200,000 people; a smaller run is scaled up linearly and says so."""
    hours = peak.drain_s / 3600
    each = peak.messages / max(1, peak.people)
    measured = f"{hours:.2f} h, {each:g} message each"
    if peak.people != TARGET_PEOPLE:
        factor = TARGET_PEOPLE / max(1, peak.people)
        measured = (
            f"{hours * factor:.2f} h, {each:g} message each (scaled ×{factor:g} from "
            f"{peak.people:,} people: {hours:.3f} h)"
        )
    return FIGURE, f"<= {GOAL_HOURS:g} h", measured


def render(peak: PeakResult) -> list[str]:
    """The row as a table, and what the simulation did."""
    figure, goal, measured = row(peak)
    return [
        "| figure | goal | measured |",
        "| --- | --- | --- |",
        f"| {figure} | {goal} | {measured} |",
        "",
        f"simulated: {peak.people:,} people woke at 08:00 {PEAK_ZONE}; {peak.messages:,} messages "
        f"in {peak.drain_s:,.0f} s of bot time at {peak.rate:g} msg/s "
        f"({peak.messages / max(peak.drain_s, 1e-9):.1f} msg/s); the last person's message left "
        f"{peak.max_first_late_s / 3600:.2f} h late; outcomes {peak.outcomes}; "
        f"{peak.real_s:.0f} s of real time",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=TARGET_PEOPLE, help="people waking at 08:00")
    args = parser.parse_args(argv)
    print("\n".join(render(asyncio.run(measure(args.people)))), flush=True)


if __name__ == "__main__":
    main()
