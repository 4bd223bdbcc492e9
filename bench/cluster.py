"""Redis Cluster next to one redis-server: the same people, the same queue code, side by side.

    python -m bench.cluster [--people 1000000]

Seeds the same population (bench/seed.py: profiles and due-queue entries) into one redis-server
and into a local three-master cluster (devtools/redis_cluster.py, no replicas: the machine's
cores are the limit), both on 127.0.0.1 TCP so that only the topology differs, then measures
what the dispatcher does on every tick: claim + complete of 1,000 due people, and a tick with
nothing due. The cluster figures come from the real cluster, never from the single server.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.common import Spread
from bench.ours import claim_complete, tick_cost
from bench.seed import Population, seed_phase
from bot.storage.client import connect
from bot.storage.redis_server import RedisProcess, ServerConfig, find_redis_server
from devtools.redis_cluster import LocalCluster, free_port

CLAIM_GOAL: Final = 1.5  # the cluster's claim + complete within this many times the single's
TICK_GOAL_MS: Final = 10.0
SEEDED_PHASE: Final = "profiles + due queue"


@dataclass(frozen=True)
class Measured:
    claim: Spread
    tick: Spread
    seed_seconds: float


@dataclass(frozen=True)
class Runs:
    claim: int = 20
    tick: int = 100


async def measure(url: str, people: int, runs: Runs) -> Measured:
    redis = await connect(url)
    try:
        began = time.perf_counter()
        population = Population(people)
        await seed_phase(redis, population.people(), SEEDED_PHASE)
        seeded = time.perf_counter() - began
        tick = await tick_cost(redis, runs.tick)
        claim = await claim_complete(redis, population.user_ids(), runs.claim)
    finally:
        await redis.aclose()
    return Measured(claim, tick, seeded)


@contextmanager
def single_server(folder: Path) -> Iterator[str]:
    folder.mkdir()
    server = RedisProcess(ServerConfig(folder, port=free_port()))
    server.start()
    try:
        yield server.config.url
    finally:
        server.stop()


@contextmanager
def local_cluster(folder: Path) -> Iterator[str]:
    cluster = LocalCluster(find_redis_server(), folder, replicas=0)
    cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


def measure_both(people: int, runs: Runs = Runs()) -> tuple[Measured, Measured]:
    """(single, cluster), each on a server started for it and stopped after."""
    with tempfile.TemporaryDirectory(prefix="twitchcare-cluster-bench-") as folder:
        with single_server(Path(folder) / "single") as url:
            single = asyncio.run(measure(url, people, runs))
        with local_cluster(Path(folder) / "cluster") as url:
            cluster = asyncio.run(measure(url, people, runs))
    return single, cluster


def table(people: int, single: Measured, cluster: Measured) -> list[tuple[str, str, str, str]]:
    """(figure, goal, single, cluster) rows."""
    ratio = cluster.claim.median_ms / single.claim.median_ms
    verdict = "met" if ratio <= CLAIM_GOAL else "MISSED"
    tick_verdict = "met" if cluster.tick.median_ms <= TICK_GOAL_MS else "MISSED"
    return [
        (
            f"claim + complete of 1,000 due, {people:,} people, cluster vs single",
            f"within {CLAIM_GOAL}x",
            f"{single.claim.median_ms:.1f} ms (p99 {single.claim.p99_ms:.1f})",
            f"{cluster.claim.median_ms:.1f} ms (p99 {cluster.claim.p99_ms:.1f}) = {ratio:.2f}x,"
            f" {verdict}",
        ),
        (
            f"tick with nothing due, {people:,} people, on the cluster",
            f"<= {TICK_GOAL_MS:g} ms",
            f"{single.tick.median_ms:.2f} ms (p99 {single.tick.p99_ms:.2f})",
            f"{cluster.tick.median_ms:.2f} ms (p99 {cluster.tick.p99_ms:.2f}), {tick_verdict}",
        ),
    ]


def rows(people: int, runs: Runs = Runs()) -> list[tuple[str, str, str]]:
    """(figure, goal, measured) for the lead's combined table; measured on the cluster, with
    the single server's figure beside it."""
    single, cluster = measure_both(people, runs)
    return [(figure, goal, f"{on_cluster}; single {alone}") for figure, goal, alone, on_cluster in
            table(people, single, cluster)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    people = parser.parse_args().people
    began = time.perf_counter()
    single, cluster = measure_both(people)
    print(f"python -m bench.cluster --people {people}")
    print(f"seeded in {single.seed_seconds:.0f} s (single), {cluster.seed_seconds:.0f} s (cluster)")
    print("| figure | goal | single | cluster |")
    print("| --- | --- | --- | --- |")
    for row in table(people, single, cluster):
        print("| " + " | ".join(row) + " |")
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
