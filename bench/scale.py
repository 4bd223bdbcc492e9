"""Scale: N enrolled people on one bot process, our due queue next to the per-person JobQueue.

    .venv/bin/python -m bench.scale [--sizes 10000,100000,1000000] [--peak 200000]

Starts its own redis-server (unix socket, no persistence) and a fast Bot API stub, seeds N
people per size (``bench.seed``), and prints one table: our design (``bench.ours``) next to
python-telegram-bot's timer-example pattern (``bench.baseline_jobqueue``), then the simulated
morning peak (``bench.peak``). Start-up, RSS, throughput and the baseline run in fresh
processes pinned to one core, with Redis and the stub on the other, when there are two.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time as wall
from datetime import timedelta
from typing import Any

from bench.common import MEASURED_CPU, SERVICE_CPU, Spread, pin, run_worker, two_cores
from bench.ours import add_remove, claim_complete, tick_cost
from bench.peak import PeakResult, morning_peak
from bench.redis_proc import BenchRedis
from bench.seed import PHASES, SEED_NOW, Population, seed_cohort, seed_phase, used_memory
from bot.storage.child_process import die_with_parent
from bot.storage.client import RedisClient, connect

COHORT_FIRST_USER = 900_000_000
COHORT_ZONE, COHORT_WAKE = "Europe/Berlin", wall(8, 7)  # off every seeded wall time
LAG_ALERT_S = 300.0
PEAK_TARGET = 200_000


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    tick_runs: int = 300
    claim_runs: int = 30
    cohort: int = 3_000
    reference: int = 2_000
    baseline_cap: int = 100_000
    baseline_repeats: int = 5
    peak_people: int = 200_000


@dataclass
class Row:
    """Everything measured at one N."""

    n: int
    memory: dict[str, float] = field(default_factory=dict)  # bytes per person, cumulative
    seed_s: float = 0.0
    tick: Spread | None = None
    claim: Spread | None = None
    claim_per_person: Spread | None = None
    add: Spread | None = None
    remove: Spread | None = None
    ours: dict[str, Any] = field(default_factory=dict)
    throughput: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    evalsha_us: float = 0.0  # Redis's own time per script call, from INFO commandstats


class Stub:
    """The Bot API stub in its own process (on the service core)."""

    def __init__(self, cpu: int | None) -> None:
        args = [sys.executable, "-m", "bench.stub_api"]
        args += ["--cpu", str(cpu)] if cpu is not None else []
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            args, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline().split()[1])

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)
        if self._process.stdout is not None:
            self._process.stdout.close()


async def measure_size(
    redis: RedisClient, url: str, port: int, n: int, config: Config, cpu: int | None
) -> Row:
    row = Row(n)
    await redis.flushall()
    population = Population(n)
    before = await used_memory(redis)
    began = time.perf_counter()
    for phase in PHASES:
        await seed_phase(redis, population.people(), phase)
        row.memory[phase] = (await used_memory(redis) - before) / n
    row.seed_s = time.perf_counter() - began
    row.tick = await tick_cost(redis, config.tick_runs)
    row.claim = await claim_complete(redis, population.user_ids(), config.claim_runs)
    row.claim_per_person = await claim_complete(
        redis, population.user_ids(), config.claim_runs, per_person=True
    )
    commands = await redis.info("commandstats")
    row.evalsha_us = float(commands.get("cmdstat_evalsha", {}).get("usec_per_call", 0.0))
    row.add, row.remove = await add_remove(redis, 50)
    common = {"redis_url": url, "stub_port": port}
    row.ours = run_worker("bench.ours", {**common, "what": "startup"}, cpu=cpu)
    params = {**common, "cap": config.baseline_cap, "repeats": config.baseline_repeats}
    row.baseline = run_worker("bench.baseline_jobqueue", params, cpu=cpu)
    due = await seed_cohort(
        redis,
        first_user=COHORT_FIRST_USER,
        size=config.cohort,
        zone=COHORT_ZONE,
        wake=COHORT_WAKE,
        after=SEED_NOW,
    )
    params = {**common, "what": "throughput", "reference": config.reference}
    params["now"] = (due + timedelta(milliseconds=500)).isoformat()
    row.throughput = run_worker("bench.ours", params, cpu=cpu)
    return row


# --- the table -------------------------------------------------------------------------------


def _n(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1_000}k" if n >= 1_000 and n % 1_000 == 0 else f"{n:,}"


def _spread(spread: Spread | dict[str, Any] | None) -> str:
    if spread is None:
        return "-"
    if isinstance(spread, dict):
        return f"{spread['median_ms']:.2f} / {spread['p99_ms']:.2f}"
    return f"{spread.median_ms:.2f} / {spread.p99_ms:.2f}"


def _per_second(result: dict[str, Any], key: str) -> float:
    return float(result["messages"] / result[key]) if result.get(key) else 0.0


def baseline_scaled(row: Row) -> dict[str, Any]:
    """The baseline's numbers at N; linear extrapolation (marked) when only `loaded` ran."""
    base = row.baseline
    loaded = int(base["loaded"])
    factor = row.n / loaded if loaded else 1.0
    mark = "~" if factor > 1.001 else ""
    startup = base["app_s"] + base["load_s"] * factor
    rss = base["rss_app_mb"] + (base["rss_mb"] - base["rss_app_mb"]) * factor
    remove = {k: v * factor if k != "runs" else v for k, v in base["remove"].items()}
    return {"mark": mark, "startup": startup, "rss": rss, "remove": remove, "add": base["add"]}


def _rows(rows: Sequence[Row]) -> list[tuple[str, str, list[str]]]:
    """(metric, goal, cells) with two cells per N: ours, then the baseline."""
    table: list[tuple[str, str, list[str]]] = []

    def add(metric: str, goal: str, ours: list[str], base: list[str]) -> None:
        table.append((metric, goal, [c for pair in zip(ours, base, strict=True) for c in pair]))

    scaled = [baseline_scaled(r) for r in rows]
    add(
        "start-up, s (build + post_init)",
        "≤ 2 at 1M, flat",
        [f"{r.ours['startup_s']:.2f}" for r in rows],
        [f"{s['mark']}{s['startup']:.1f}" for s in scaled],
    )
    add(
        "process RSS, MB",
        "≤ 150 at 1M, flat",
        [f"{r.ours['rss_mb']:.0f}" for r in rows],
        [f"{s['mark']}{s['rss']:.0f}" for s in scaled],
    )
    add(
        "tick, nothing due, ms (median / p99)",
        "≤ 5 at 1M",
        [_spread(r.tick) for r in rows],
        ["(timer per job)"] * len(rows),
    )
    add(
        "claim + complete 1,000 due, ms (med / p99)",
        "≤ 50 at 1M",
        [_spread(r.claim) for r in rows],
        ["-"] * len(rows),
    )
    add(
        "  same, one round trip per complete (before)",
        "",
        [_spread(r.claim_per_person) for r in rows],
        ["-"] * len(rows),
    )
    add(
        "add one person, ms (median / p99)",
        "",
        [_spread(r.add) for r in rows],
        [_spread(s["add"]) for s in scaled],
    )
    add(
        "remove one person, ms (median / p99)",
        "",
        [_spread(r.remove) for r in rows],
        [s["mark"] + _spread(s["remove"]) for s in scaled],
    )
    add(
        "dispatcher sends/s, one core (wall)",
        "≥ 1,000",
        [f"{_per_second(r.throughput, 'wall_s'):.0f}" for r in rows],
        ["-"] * len(rows),
    )
    add(
        "  same, per CPU-second of the process",
        "",
        [f"{_per_second(r.throughput, 'cpu_s'):.0f}" for r in rows],
        ["-"] * len(rows),
    )
    add(
        "  floor: bare PTB send_message, per CPU-s",
        "",
        [f"{_per_second(r.throughput['reference'], 'cpu_s'):.0f}" for r in rows],
        ["-"] * len(rows),
    )
    add(
        "Redis per enrolled person, bytes",
        "≤ 2,048",
        [f"{list(r.memory.values())[-1]:.0f}" for r in rows],
        ["(same data)"] * len(rows),
    )
    return table


def render_table(rows: Sequence[Row]) -> str:
    head = ["metric", "goal"] + [f"{_n(r.n)} {who}" for r in rows for who in ("ours", "JobQueue")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric, goal, cells in _rows(rows):
        lines.append("| " + " | ".join([metric, goal, *cells]) + " |")
    return "\n".join(lines)


def render_notes(rows: Sequence[Row], config: Config) -> list[str]:
    notes = []
    for row in rows:
        parts = ", ".join(f"{name} {size:.0f}" for name, size in row.memory.items())
        notes.append(f"Redis bytes per person at {_n(row.n)}, cumulative: {parts}")
    for row in rows:
        base = row.baseline
        if base["loaded"] < row.n:
            notes.append(
                f"~ JobQueue at {_n(row.n)}: extrapolated linearly from the first "
                f"{base['loaded']:,} people ({base['jobs']:,} jobs: start-up "
                f"{base['startup_s']:.1f} s, RSS {base['rss_mb']:.0f} MB, remove "
                f"{base['remove']['median_ms']:.0f} ms); a lower bound, since the job store "
                "keeps one sorted list and get_jobs_by_name scans every job"
            )
    for row in rows:
        notes.append(
            f"Redis's own time per claim/complete script at {_n(row.n)}: "
            f"{row.evalsha_us:.1f} µs (INFO commandstats); the rest of claim + complete is the "
            "client: one redis-py asyncio round trip per complete"
        )
    for row in rows:
        t = row.throughput
        notes.append(
            f"throughput at {_n(row.n)}: {t['people']:,} people due at once, "
            f"{t['messages']:,} messages in {t['wall_s']:.1f} s wall / {t['cpu_s']:.1f} s CPU; "
            f"outcomes {t['outcomes']}; RSS after {t['rss_mb']:.0f} MB; "
            f"import of the bot {row.ours['import_s']:.2f} s (not in start-up)"
        )
    notes.append(
        f"(tick: {config.tick_runs} runs; claim + complete: {config.claim_runs} runs of 1,000; "
        "JobQueue add/remove: the timer example's run_daily ×2 and get_jobs_by_name + "
        "schedule_removal)"
    )
    return notes


def render_peak(peak: PeakResult) -> list[str]:
    hours = peak.drain_s / 3600
    crossed = peak.lag_crossed(LAG_ALERT_S)
    per_person = peak.messages / max(1, peak.people)
    alert = "never" if crossed is None else f"{crossed / 60:.0f} min after 08:00"
    lines = [
        f"Morning peak (simulated on a ManualClock; {peak.real_s:.0f} s of real time): "
        f"{peak.people:,} people wake at 08:00 Europe/Berlin, {per_person:.0f} messages each "
        f"(the day's step, then the sleep question), global limit {peak.rate:g} msg/s.",
        f"- drain: {peak.messages:,} messages in {peak.drain_s:,.0f} s = {hours:.2f} h "
        f"({peak.messages / peak.drain_s:.1f} msg/s); the last person's first message left "
        f"{peak.max_first_late_s / 3600:.2f} h late",
        f"- Telegram's limit sets this, not our code: {peak.messages:,} / {peak.rate:g} per s "
        f"= {peak.messages / peak.rate / 3600:.2f} h; with one message per person it would be "
        f"{peak.people / peak.rate / 3600:.2f} h",
        f"- outcomes: {peak.outcomes} (a late morning is still sent: same local day, "
        "not quiet hours; a late evening nudge would be dropped after 30 min)",
        f"- queue lag (DueQueue.oldest_due, the metric to alert on): first above "
        f"{LAG_ALERT_S / 60:.0f} min: {alert}; at most {peak.max_lag() / 3600:.2f} h",
    ]
    if peak.people < PEAK_TARGET:
        factor = PEAK_TARGET / peak.people
        lines.append(
            f"- extrapolated to {PEAK_TARGET:,} people (linear: the drain rate is the limit): "
            f"drain ~{hours * factor:.2f} h, last first message ~"
            f"{peak.max_first_late_s * factor / 3600:.2f} h late "
            f"(run --peak {PEAK_TARGET} to simulate it; ~{peak.real_s * factor / 60:.0f} min here)"
        )
    return lines


def machine_line(load_before: tuple[float, float, float], pinned: bool) -> str:
    load = os.getloadavg()
    where = (
        f"dispatcher/start-up/baseline pinned to CPU {MEASURED_CPU}, Redis and the stub "
        f"to CPU {SERVICE_CPU}"
        if pinned
        else "not pinned"
    )
    return (
        f"machine: {os.cpu_count()} CPUs; load average before {load_before[0]:.2f}, after "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min); {where}"
    )


async def run(config: Config, *, redis_url: str | None = None, pinned: bool = False) -> str:
    """Measure every size and the peak; the report as text.

    Without redis_url, a private redis-server is started and stopped. With one, that Redis is
    FLUSHALLed: only ever pass a throwaway server (tests do).
    """
    load_before = os.getloadavg()
    cpu = MEASURED_CPU if pinned else None
    server = None if redis_url else BenchRedis(SERVICE_CPU if pinned else None)
    if server is not None:
        server.start()
    url = redis_url or (server.url if server else "")
    stub = Stub(SERVICE_CPU if pinned else None)
    redis = await connect(url)
    try:
        rows = [await measure_size(redis, url, stub.port, n, config, cpu) for n in config.sizes]
        await redis.flushall()
        peak = await morning_peak(redis, config.peak_people)
        await redis.flushall()
    finally:
        await redis.aclose()
        stub.stop()
        if server is not None:
            server.stop()
    lines = [
        "Scale: one bot process, our Redis due queue vs one JobQueue.run_daily per person per slot",
        "",
        render_table(rows),
        "",
        *render_notes(rows, config),
        "",
        *render_peak(peak),
        "",
        machine_line(load_before, pinned),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated N")
    parser.add_argument("--peak", type=int, default=200_000, help="people in the morning peak")
    parser.add_argument("--baseline-cap", type=int, default=100_000, help="JobQueue people")
    parser.add_argument("--cohort", type=int, default=3_000, help="people due for throughput")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    config = Config(
        sizes=tuple(int(s) for s in args.sizes.split(",")),
        peak_people=args.peak,
        baseline_cap=args.baseline_cap,
        cohort=args.cohort,
    )
    # This process (seeding, tick and claim timings) shares the measured core.
    pinned = two_cores() and pin(MEASURED_CPU)
    print(asyncio.run(run(config, pinned=pinned)), flush=True)


if __name__ == "__main__":
    main()
