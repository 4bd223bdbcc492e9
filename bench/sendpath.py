"""The send path: our scheduled sends against bare python-telegram-bot, 1 vs 2 dispatcher
processes, and the morning peak with paid broadcast.

    .venv/bin/python -m bench.sendpath [--cohort 3000] [--reference 2000] [--peak 200000]
                                       [--peak-budget 500000] [--repeats 3]

Starts its own redis-server (unix socket, no persistence) and the Bot API stub, and prints one
table (figure | goal | measured). Exposes ``rows()`` so other reports can combine tables.

* New path per CPU-second, and bare ``send_message`` in the same worker process and run
  (``bench.ours`` throughput, the real Application and Dispatcher, rate limiting off).
* 1 vs 2 processes: a fresh due cohort drained by one worker (pinned to CPU 0), then another
  cohort by two workers sharing the queue (CPU 0 and CPU 1), started together; repeated, and
  the fastest of each shown (other work on a shared machine only ever slows a run down).
  Redis and the stub stay on CPU 1 in both runs: in the 2-process run they share it with the
  second worker, so the ratio counts their CPU against the dispatchers, as a real 2-core host
  would. Each run reports the CPU seconds of the dispatchers, the stub and Redis (from /proc),
  and the load average before and after shows whether other work took cores away.
* The morning peak: ``bench.peak``'s simulation (ManualClock, the real RedisRateLimiter) with
  paid broadcast on and two dispatchers ticking the one queue. Simulated time is bounded by the
  limiter; the wall rate two real processes reached above bounds it too, so the figure is the
  larger of the two.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import time as wall
from datetime import timedelta
from typing import Any

from bench.common import MEASURED_CPU, SERVICE_CPU, process_cpu_s, run_worker, two_cores
from bench.ours import sent_messages
from bench.peak import PaidPeak, paid_peak
from bench.redis_proc import BenchRedis
from bench.scale import Stub
from bench.seed import SEED_NOW, seed_cohort
from bot.storage.client import RedisClient, connect

COHORT_ZONE, COHORT_WAKE = "Europe/Berlin", wall(8, 7)
FIRST_COHORT = 910_000_000
SECOND_COHORT = 920_000_000
THIRD_COHORT = 930_000_000
COHORT_STRIDE = 1_000_000  # user ids between the repeats' cohorts
PEAK_BUDGET_SECONDS = 600.0
WORKER_START_S = 5.0  # workers import and start the Application before this, then go together

Row = tuple[str, str, str]


@dataclass(frozen=True)
class Config:
    cohort: int = 3_000
    reference: int = 2_000
    peak_people: int = 200_000
    peak_budget: int = 500_000  # paid messages a day; a morning is up to two per person
    repeats: int = 3  # 1- and 2-process runs, alternated; the best of each is shown


@dataclass(frozen=True)
class Run:
    """Dispatcher processes draining one cohort together."""

    rate: float  # sends per wall second, over the span in which all of them were sending
    messages: int
    dispatchers_cpu_s: float
    services_cpu_s: dict[str, float]  # the stub's and Redis's (when the bench started it)

    def describe(self) -> str:
        services = ", ".join(f"{name} {cpu_s:.2f}" for name, cpu_s in self.services_cpu_s.items())
        return (
            f"{self.rate:,.0f} ({self.messages:,} messages; CPU-s: dispatchers "
            f"{self.dispatchers_cpu_s:.2f}, {services})"
        )

    def per_dispatcher_cpu_s(self) -> float:
        return self.messages / self.dispatchers_cpu_s

    def cpu_per_message(self) -> tuple[float, float]:
        """CPU seconds per message of the dispatchers, and of the stub and Redis together."""
        return self.dispatchers_cpu_s / self.messages, sum(self.services_cpu_s.values()) / (
            self.messages
        )


def capacity_ratio(one: Run, two: Run) -> float:
    """2 vs 1 process from CPU seconds alone, which other work on the machine barely moves:
    one process is bound by its own core (the stub and Redis have the other); two share both
    cores with the stub and Redis."""
    dispatcher_1, _ = one.cpu_per_message()
    dispatcher_2, services_2 = two.cpu_per_message()
    return (2 / (dispatcher_2 + services_2)) / (1 / dispatcher_1)


@dataclass(frozen=True)
class Measured:
    ours: dict[str, Any]
    one: Run
    two: Run
    peak: PaidPeak
    load: tuple[float, float]  # 1-minute load average before and after


async def _cohort(redis: RedisClient, first_user: int, size: int) -> str:
    due = await seed_cohort(
        redis, first_user=first_user, size=size, zone=COHORT_ZONE, wake=COHORT_WAKE, after=SEED_NOW
    )
    return (due + timedelta(milliseconds=500)).isoformat()


def _workers(common: dict[str, Any], now: str, cpus: Sequence[int | None]) -> list[dict[str, Any]]:
    start_at = time.time() + WORKER_START_S
    params = {**common, "what": "throughput", "now": now, "reference": 0, "start_at": start_at}
    with ThreadPoolExecutor(len(cpus)) as pool:
        done = [pool.submit(run_worker, "bench.ours", params, cpu=cpu) for cpu in cpus]
        return [future.result() for future in done]


async def _run(
    common: dict[str, Any], now: str, cpus: Sequence[int | None], services: dict[str, int]
) -> Run:
    """Start one worker per entry of `cpus` on the cohort due at `now`; time them together.

    The messages are the stub's count over the run: each worker sees the stub's total, which
    includes the other worker's sends."""
    before = {name: process_cpu_s(pid) for name, pid in services.items()}
    sent_before = await sent_messages(common["stub_port"])
    results = _workers(common, now, cpus)
    span = max(r["ended"] for r in results) - min(r["began"] for r in results)
    messages = await sent_messages(common["stub_port"]) - sent_before
    return Run(
        rate=messages / span,
        messages=messages,
        dispatchers_cpu_s=sum(float(r["cpu_s"]) for r in results),
        services_cpu_s={name: process_cpu_s(pid) - before[name] for name, pid in services.items()},
    )


async def _scaling(
    redis: RedisClient,
    common: dict[str, Any],
    config: Config,
    cpus: list[int | None],
    services: dict[str, int],
) -> tuple[Run, Run]:
    """1 then 2 processes, `config.repeats` times, each on a fresh cohort: the fastest run of
    each. Alternating them gives both the same share of whatever else the machine is doing."""
    ones, twos = [], []
    for repeat in range(config.repeats):
        offset = repeat * COHORT_STRIDE
        now = await _cohort(redis, SECOND_COHORT + offset, config.cohort)
        ones.append(await _run(common, now, cpus[:1], services))
        now = await _cohort(redis, THIRD_COHORT + offset, config.cohort)
        twos.append(await _run(common, now, cpus, services))
    return max(ones, key=lambda run: run.rate), max(twos, key=lambda run: run.rate)


async def measure(config: Config, *, redis_url: str | None = None) -> Measured:
    """Everything the table shows. With redis_url, that (throwaway) Redis is FLUSHALLed."""
    pinned = redis_url is None and two_cores()
    server = None if redis_url else BenchRedis(SERVICE_CPU if pinned else None)
    if server is not None:
        server.start()
    url = redis_url or (server.url if server else "")
    stub = Stub(SERVICE_CPU if pinned else None)
    redis = await connect(url)
    cpu0, cpu1 = (MEASURED_CPU, SERVICE_CPU) if pinned else (None, None)
    services = {"stub": stub.pid} | ({"Redis": server.pid} if server is not None else {})
    load_before = os.getloadavg()[0]
    try:
        await redis.flushall()
        common = {"redis_url": url, "stub_port": stub.port}
        now = await _cohort(redis, FIRST_COHORT, config.cohort)
        params = {**common, "what": "throughput", "now": now, "reference": config.reference}
        ours = run_worker("bench.ours", params, cpu=cpu0)
        one, two = await _scaling(redis, common, config, [cpu0, cpu1], services)
        await redis.flushall()
        peak = await paid_peak(redis, config.peak_people, budget=config.peak_budget)
        await redis.flushall()
    finally:
        await redis.aclose()
        stub.stop()
        if server is not None:
            server.stop()
    return Measured(ours, one, two, peak, (load_before, os.getloadavg()[0]))


def _per_cpu(result: dict[str, Any]) -> float:
    return float(result["messages"]) / float(result["cpu_s"])


def table(measured: Measured) -> list[Row]:
    """The figures, as (figure, goal, measured)."""
    ours = _per_cpu(measured.ours)
    bare = _per_cpu(measured.ours["reference"])
    peak = measured.peak
    # Two real processes cannot drain faster than they were measured to send.
    peak_s = max(peak.drain_s, peak.messages / measured.two.rate)
    within = "within" if peak.paid <= peak.budget else "OVER"
    return [
        ("scheduled sends per CPU-second, new path", ">= 1,000", f"{ours:,.0f}"),
        ("bare PTB send_message per CPU-second, same run", "-", f"{bare:,.0f}"),
        ("new path / bare PTB send_message", ">= 1.6x", f"{ours / bare:.2f}x"),
        ("scheduled sends/s, 1 process (wall, best run)", "-", measured.one.describe()),
        ("scheduled sends/s, 2 processes (wall, best run)", "-", measured.two.describe()),
        ("2 processes vs 1 on 2 cores", ">= 1.7x", f"{measured.two.rate / measured.one.rate:.2f}x"),
        (
            "  same, sends per dispatcher CPU-second, 2 processes vs 1",
            "-",
            f"{measured.two.per_dispatcher_cpu_s():,.0f} vs "
            f"{measured.one.per_dispatcher_cpu_s():,.0f}: "
            f"{measured.two.per_dispatcher_cpu_s() / measured.one.per_dispatcher_cpu_s():.2f}x",
        ),
        (
            "  same, from CPU-seconds: 2 cores / CPU per message vs 1 core / dispatcher CPU",
            "-",
            f"{capacity_ratio(measured.one, measured.two):.2f}x",
        ),
        (
            f"morning peak, {peak.people:,} people at 08:00, paid broadcast, 2 processes",
            "<= 10 min, within budget",
            f"{peak_s / 60:.1f} min ({peak.messages:,} messages, {peak.paid:,} paid of a "
            f"budget of {peak.budget:,}: {within})",
        ),
        ("load average (1 min), before / after", "-", "{:.2f} / {:.2f}".format(*measured.load)),
    ]


def render(rows_: Sequence[Row]) -> str:
    lines = ["| figure | goal | measured |", "| --- | --- | --- |"]
    lines += [f"| {figure} | {goal} | {value} |" for figure, goal, value in rows_]
    return "\n".join(lines)


def rows(config: Config | None = None, *, redis_url: str | None = None) -> list[Row]:
    """Measure and return the table's rows, for reports that combine several benchmarks."""
    return table(asyncio.run(measure(config or Config(), redis_url=redis_url)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cohort", type=int, default=Config.cohort)
    parser.add_argument("--reference", type=int, default=Config.reference)
    parser.add_argument("--peak", type=int, default=Config.peak_people)
    parser.add_argument("--peak-budget", type=int, default=Config.peak_budget)
    parser.add_argument("--repeats", type=int, default=Config.repeats)
    args = parser.parse_args(argv)
    config = Config(args.cohort, args.reference, args.peak, args.peak_budget, args.repeats)
    print(render(rows(config)))


if __name__ == "__main__":
    main()
