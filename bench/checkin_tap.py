"""How long one check-in tap takes, through the real handlers, Redis and Bot API calls.

    .venv/bin/python -m bench.checkin_tap [--people 40] [--baseline-ms X]

Builds the real Application with `build_application`, points it at the Bot API emulator on
localhost, and feeds it `Update`s with `app.process_update` (no polling, so only handling is
timed). Redis is TWITCHCARE_REDIS_URL if set (the bench's own people are deleted afterwards),
otherwise the bot's embedded redis-server (AOF on, unix socket) in a temporary folder.

Each timed tap is one callback query: read the flow, write it (or the atomic check-in write),
answer the query and edit the message; "Done" also triages and may send advice. The reference
row times only the two Bot API calls a tap cannot avoid (answerCallbackQuery, editMessageText),
so the difference is what our handler, Redis and triage add.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from datetime import time as wall
from pathlib import Path

from pydantic import SecretStr
from telegram import Update

from bot.core.config import Settings
from bot.core.context import App
from bot.domain.models import Profile, Status
from bot.ops.app import build_application, running
from devtools.emulator import BotApiEmulator, ChatMessage
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock

GOAL_P99_MS = 10.0
START = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
FIRST_USER = 7_100_000_001
WARM_UP_PEOPLE = 3
# Answers tapped by every bench person, then one warning sign for a third of them, then Done.
ANSWERS = ("👁️ Eyelid", "3 to 5", "⏳ Minutes", "6 to 7 hours", "2", "😐 3 · Some")
SIGN = "⬜ Pain with the twitch"
DONE = "✅ Done"


class Bench:
    """The bot, the emulator and the timings."""

    def __init__(self, app: App, emu: BotApiEmulator) -> None:
        self.app = app
        self.emu = emu
        self.timings: dict[str, list[float]] = {"answer": [], "sign toggle": [], "done": []}

    async def feed(self, update_id: int) -> float:
        """Hand the emulator's update to the bot; seconds spent in process_update."""
        raw = next(u for u in self.emu.pending_updates if u["update_id"] == update_id)
        update = Update.de_json(raw, self.app.bot)
        began = time.perf_counter()
        await self.app.process_update(update)
        return time.perf_counter() - began

    async def check_in(self, user: int, *, sign: bool, timed: bool) -> None:
        await self.feed(await self.emu.send_text(user, "/checkin"))
        message = self.emu.last_bot_message(user)
        taps = [("answer", label) for label in ANSWERS]
        taps += [("sign toggle", SIGN)] if sign else []
        taps.append(("done", DONE))
        for kind, label in taps:
            seconds = await self.feed(await self.emu.tap(user, message.message_id, label))
            if timed:
                self.timings[kind].append(seconds)
        if "All done" not in _message(self.emu, user, message.message_id).text:
            raise RuntimeError("a bench check-in did not finish; is the bot healthy?")

    async def reference(self, user: int, rounds: int) -> list[float]:
        """The two Bot API calls of a tap, alone."""
        message = self.emu.last_bot_message(user)
        markup = message.reply_markup
        seconds: list[float] = []
        for _ in range(rounds):
            update_id = await self.emu.tap_raw(user, message.message_id, "1:bench")
            raw = next(u for u in self.emu.pending_updates if u["update_id"] == update_id)
            query_id = raw["callback_query"]["id"]  # type: ignore[index]
            began = time.perf_counter()
            await self.app.bot.answer_callback_query(query_id)
            await self.app.bot.edit_message_text(
                f"{message.html} {len(seconds)}",
                chat_id=user,
                message_id=message.message_id,
                reply_markup=markup,  # type: ignore[arg-type]
            )
            seconds.append(time.perf_counter() - began)
        return seconds


def _message(emu: BotApiEmulator, user: int, message_id: int) -> ChatMessage:
    return next(m for m in emu.bot_messages(user) if m.message_id == message_id)


def enrolled_profile(user: int) -> Profile:
    """A person on day 1 of the plan in London (the benchmarks' check-in takers)."""
    return Profile(
        user_id=user,
        chat_id=user,
        consent_at=START,
        status=Status.ACTIVE,
        zone="Europe/London",
        wake_time=wall(7),
        bedtime=wall(23),
        onset_date=date(2026, 3, 18),
        start_date=date(2026, 3, 20),
    )


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _row(name: str, values: Sequence[float]) -> str:
    ms = [v * 1000 for v in values]
    p50, p99 = statistics.median(ms), _percentile(ms, 0.99)
    return f"| {name:<26} | {len(ms):>5} | {p50:>7.2f} | {p99:>7.2f} | {max(ms):>7.2f} |"


def _report(bench: Bench, reference: Sequence[float], baseline_ms: float | None, redis: str) -> str:
    everything = [s for values in bench.timings.values() for s in values]
    p99 = _percentile([s * 1000 for s in everything], 0.99)
    verdict = "met" if p99 <= GOAL_P99_MS else "NOT met"
    lines = [
        f"Check-in tap latency (process_update of one callback query; Redis: {redis})",
        "",
        "| taps                       |     n | p50 ms  | p99 ms  | max ms  |",
        "| -------------------------- | ----: | ------: | ------: | ------: |",
        *(_row(name, values) for name, values in bench.timings.items()),
        _row("all check-in taps", everything),
        _row("reference: 2 Bot API calls", reference),
        "",
        f"goal: p99 ≤ {GOAL_P99_MS:g} ms for all taps: {verdict} (p99 {p99:.2f} ms)",
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
        "(other work on the machine inflates p99; compare with the reference row)",
    ]
    if baseline_ms is not None:
        lines.append(f"baseline: {baseline_ms:g} ms (given with --baseline-ms)")
    return "\n".join(lines)


def redis_label() -> str:
    """Which Redis `bench_bot` used, for the report."""
    external = os.environ.get("TWITCHCARE_REDIS_URL")
    return "TWITCHCARE_REDIS_URL" if external else "embedded redis-server, AOF on"


@asynccontextmanager
async def bench_bot(start: datetime) -> AsyncIterator[tuple[App, BotApiEmulator]]:
    """The real Application on a ManualClock at `start`, talking to the Bot API emulator; Redis
    is TWITCHCARE_REDIS_URL if set, otherwise the embedded server in a temporary folder."""
    clock = ManualClock(start)
    external = os.environ.get("TWITCHCARE_REDIS_URL")
    with tempfile.TemporaryDirectory(prefix="twitchcare-bench-") as folder:
        async with BotApiEmulator(clock) as emu:
            settings = Settings(
                _env_file=None,
                bot_token=SecretStr(DEFAULT_TOKEN),
                redis_url=external,
                data_dir=Path(folder),
                api_base_url=emu.base_url,
                api_file_url=emu.base_file_url,
            )
            async with running(build_application(settings, clock=clock)) as app:
                yield app, emu


async def run(people: int, baseline_ms: float | None) -> str:
    async with bench_bot(START) as (app, emu):
        bench = Bench(app, emu)
        reference = await _measure(bench, people)
        store = app.bot_data.services.store
        for user in _users(people):
            await store.delete_person(user)
    redis = redis_label()
    return _report(bench, reference, baseline_ms, redis)


async def _measure(bench: Bench, people: int) -> list[float]:
    store = bench.app.bot_data.services.store
    users = _users(people)
    for user in users:
        bench.emu.add_user(user, first_name="Bench")
        await store.delete_person(user)
        await store.save_profile(enrolled_profile(user), expected_version=0)
    for user in users[:WARM_UP_PEOPLE]:  # connections, caches, first-call costs
        await bench.check_in(user, sign=False, timed=False)
    for index, user in enumerate(users[WARM_UP_PEOPLE:]):
        await bench.check_in(user, sign=index % 3 == 0, timed=True)
    return await bench.reference(users[0], 100)


def _users(people: int) -> list[int]:
    return [FIRST_USER + i for i in range(people + WARM_UP_PEOPLE)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=60, help="timed check-ins (one each)")
    parser.add_argument("--baseline-ms", type=float, default=None, help="print this baseline")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    print(asyncio.run(run(args.people, args.baseline_ms)))


if __name__ == "__main__":
    main()
