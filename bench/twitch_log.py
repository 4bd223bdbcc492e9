"""How long one "⚡ Twitching now" tap takes, through the real handlers, Redis and Bot API calls,
and how many bytes of Redis memory a logged episode costs.

    .venv/bin/python -m bench.twitch_log [--people 60] [--episodes 20]

Like bench/checkin_tap.py: the real Application from `build_application`, the Bot API emulator
on localhost, `Update`s fed with `app.process_update` (only handling is timed), Redis from
TWITCHCARE_REDIS_URL or the embedded redis-server (AOF on) in a temporary folder.

A log tap reads the profile, runs the enrolled-and-capped Lua write and sends the confirmation;
a "just before" tap reads the episode, rewrites it (Lua), reads the check-ins for the usual
place, answers the query and edits the message. Memory is MEMORY USAGE of a person's episode
list divided by its episodes, for a typical day's worth and for a full day at the cap.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from telegram import Update

from bench.checkin_tap import _percentile, _row, bench_bot, enrolled_profile, redis_label
from bot.core.context import App
from bot.domain.episodes import EPISODES_PER_DAY_CAP, Before, Episode
from bot.storage.store import EPISODES, person_key
from devtools.emulator import BotApiEmulator

GOAL_P99_MS = 10.0
GOAL_BYTES = 64
START = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
FIRST_USER = 7_200_000_001
WARM_UP_PEOPLE = 3
BUTTON = "⚡ Twitching now"
BEFORE = "📱 Screens"


class Bench:
    """The bot, the emulator and the timings."""

    def __init__(self, app: App, emu: BotApiEmulator) -> None:
        self.app = app
        self.emu = emu
        self.timings: dict[str, list[float]] = {"log tap": [], "just-before tap": []}

    async def feed(self, update_id: int) -> float:
        raw = next(u for u in self.emu.pending_updates if u["update_id"] == update_id)
        update = Update.de_json(raw, self.app.bot)
        began = time.perf_counter()
        await self.app.process_update(update)
        return time.perf_counter() - began

    async def log(self, user: int, *, timed: bool) -> None:
        logged = await self.feed(await self.emu.send_text(user, BUTTON))
        message = self.emu.last_bot_message(user)
        if "Logged at" not in message.text:
            raise RuntimeError("a bench tap was not logged; is the bot healthy?")
        before = await self.feed(await self.emu.tap(user, message.message_id, BEFORE))
        if timed:
            self.timings["log tap"].append(logged)
            self.timings["just-before tap"].append(before)


async def bytes_per_episode(app: App, user: int, count: int) -> float:
    """Redis memory of a person's episode list holding `count` episodes, per episode."""
    store = app.bot_data.services.store
    await store.delete_person(user)
    await store.save_profile(enrolled_profile(user), expected_version=0)
    for second in range(count):
        episode = Episode(at=START + timedelta(seconds=second), before=Before.SCREENS)
        await store.log_episode(user, episode, START, EPISODES_PER_DAY_CAP)
    used = await store.redis.memory_usage(person_key(user, EPISODES), samples=0)
    await store.delete_person(user)
    return float(used or 0) / count


def _report(bench: Bench, memory: dict[int, float], redis: str) -> str:
    everything = [s for values in bench.timings.values() for s in values]
    p99 = _percentile([s * 1000 for s in everything], 0.99)
    worst = max(memory.values())
    lines = [
        f"Twitch log tap latency (process_update of one update; Redis: {redis})",
        "",
        "| taps                       |     n | p50 ms  | p99 ms  | max ms  |",
        "| -------------------------- | ----: | ------: | ------: | ------: |",
        *(_row(name, values) for name, values in bench.timings.items()),
        _row("all log taps", everything),
        "",
        "| episodes in the list | Redis bytes per episode |",
        "| -------------------: | ----------------------: |",
        *(f"| {count:>20} | {size:>23.1f} |" for count, size in memory.items()),
        "",
        f"goal: p99 ≤ {GOAL_P99_MS:g} ms: {'met' if p99 <= GOAL_P99_MS else 'NOT met'} "
        f"(p99 {p99:.2f} ms)",
        f"goal: ≤ {GOAL_BYTES} bytes per episode: {'met' if worst <= GOAL_BYTES else 'NOT met'} "
        f"(worst {worst:.1f})",
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
    ]
    return "\n".join(lines)


async def run(people: int, episodes: int) -> str:
    async with bench_bot(START) as (app, emu):
        bench = Bench(app, emu)
        await _measure(bench, people)
        spare = _users(people)[-1] + 1
        sizes = sorted({episodes, EPISODES_PER_DAY_CAP})
        memory = {n: await bytes_per_episode(app, spare, n) for n in sizes}
        for user in _users(people):
            await app.bot_data.services.store.delete_person(user)
    redis = redis_label()
    return _report(bench, memory, redis)


async def _measure(bench: Bench, people: int) -> None:
    store = bench.app.bot_data.services.store
    users = _users(people)
    for user in users:
        bench.emu.add_user(user, first_name="Bench")
        await store.delete_person(user)
        await store.save_profile(enrolled_profile(user), expected_version=0)
    for user in users[:WARM_UP_PEOPLE]:
        await bench.log(user, timed=False)
    for user in users[WARM_UP_PEOPLE:]:
        await bench.log(user, timed=True)


def _users(people: int) -> list[int]:
    return [FIRST_USER + i for i in range(people + WARM_UP_PEOPLE)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=60, help="timed log taps (one each)")
    parser.add_argument("--episodes", type=int, default=20, help="a typical day's episodes")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    print(asyncio.run(run(args.people, args.episodes)))


if __name__ == "__main__":
    main()
