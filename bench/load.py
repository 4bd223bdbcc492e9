"""Load: many simulated people tapping through check-ins at once, over HTTP, for a while.

    .venv/bin/python -m bench.load [--people 500] [--seconds 60] [--log-file PATH]

The real Application polls the Bot API emulator on localhost (the production polling path:
getUpdates, sendMessage, editMessageText and answerCallbackQuery over real HTTP) against real
Redis (TWITCHCARE_REDIS_URL, or the bot's embedded redis-server with AOF on). People are
enrolled by writing their profiles directly; then each one loops: /checkin, (on later rounds
"Update today's answers"), six answers and Done, waiting for each tap to be answered and its
message edited before the next, as a person would.

Every tap is counted when it starts and when it completes. At the end, the check-ins stored in
Redis must equal the Done taps that completed, and the run reports errors (taps not answered in
time, wrong answers, updates that reached the error handler), p50/p99 tap latency, and whether
any log line held a message text, a person's name or the bot token.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from bench.checkin_tap import enrolled_profile
from bot.core.config import Settings
from bot.core.context import App
from bot.ops.app import build_application, running
from bot.ops.logs import REDACTED, JsonFormatter, RedactSecrets
from devtools.emulator import BotApiEmulator, ChatMessage
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock

START = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
FIRST_USER = 7_300_000_001
NAME = "Quetzalina"  # every person's first name: it must never reach a log
ANSWERS = ("👁️ Eyelid", "3 to 5", "⏳ Minutes", "6 to 7 hours", "2", "😐 3 · Some")
UPDATE = "✏️ Update today's answers"
DONE = "✅ Done"
FIRST_QUESTION = "Question 1 of 7"
TAP_TIMEOUT = 30.0
# Words that would show message text in the logs: what people see and tap.
LEAK_WORDS = ("Daily check-in", "Question 1", "Eyelid", "Minutes", "All done", "/checkin", NAME)


@dataclass
class Tally:
    """Everything the run counts."""

    taps_started: int = 0
    taps_completed: int = 0
    checkins_completed: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class Result:
    people: int
    seconds: float
    tally: Tally
    checkins_stored: int
    log_lines: list[str]
    leaks: list[str]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.tally.latencies) * 1000 if self.tally.latencies else 0.0

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.tally.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))] * 1000

    @property
    def error_count(self) -> int:
        return sum(self.tally.errors.values())

    def report(self) -> str:
        t = self.tally
        return "\n".join(
            [
                f"Load: {self.people} people, {self.seconds:g} s, polling over HTTP",
                f"taps started {t.taps_started}, completed {t.taps_completed} "
                f"({t.taps_completed / self.seconds:.1f}/s)",
                f"check-ins completed {t.checkins_completed}, stored in Redis "
                f"{self.checkins_stored}: {'equal' if self.equal else 'NOT EQUAL'}",
                f"errors {self.error_count} {dict(t.errors) or ''}".rstrip(),
                f"tap latency p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
                f"max {max(t.latencies, default=0) * 1000:.1f} ms",
                f"log lines {len(self.log_lines)}, with message text, names or the token: "
                f"{len(self.leaks)}",
                f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
            ]
        )

    @property
    def equal(self) -> bool:
        return self.checkins_stored == self.tally.checkins_completed


class Captured(logging.Handler):
    """Every log line of the run as production writes it with TWITCHCARE_LOG_JSON: one JSON
    object per line, secrets redacted (a redaction is still counted as a leak below)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RedactSecrets([DEFAULT_TOKEN]))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class Person:
    """One simulated person: taps through check-ins until the deadline."""

    def __init__(self, user: int, emu: BotApiEmulator, changed: asyncio.Event, tally: Tally):
        self.user = user
        self.emu = emu
        self.core = emu._core  # the bench reads chat state directly (no public O(1) lookups)
        self.changed = changed
        self.tally = tally
        self.rounds = 0

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                await self.check_in()
            except TimeoutError:
                self.tally.errors["tap not answered in time"] += 1
                return
            except LookupError as exc:
                self.tally.errors[f"unexpected screen: {exc}"] += 1
                return

    async def check_in(self) -> None:
        message = await self.command("/checkin")
        if self.rounds:
            message = await self.tap(message, UPDATE)
        if FIRST_QUESTION not in message.text:
            raise LookupError("no first question")
        for label in (*ANSWERS, DONE):
            message = await self.tap(message, label)
        if "All done" not in message.text and "updated" not in message.text:
            raise LookupError("check-in not finished")
        self.rounds += 1
        self.tally.checkins_completed += 1

    async def command(self, text: str) -> ChatMessage:
        seen = len(self.emu.bot_messages(self.user))
        await self.emu.send_text(self.user, text)
        await self.until(lambda: len(self.emu.bot_messages(self.user)) > seen)
        return self.emu.bot_messages(self.user)[seen]

    async def tap(self, message: ChatMessage, label: str) -> ChatMessage:
        """Tap and wait until the tap is answered and the message edited."""
        began = time.perf_counter()
        self.tally.taps_started += 1
        update_id = await self.emu.tap(self.user, message.message_id, label)
        pending = self.core.updates.get(update_id)
        assert pending is not None
        query = self.core.queries[pending["callback_query"]["id"]]

        def done() -> bool:
            now = self.core.store.get(self.user, message.message_id)
            return query.answered and now is not None and now.text != message.text

        await self.until(done)
        self.tally.latencies.append(time.perf_counter() - began)
        self.tally.taps_completed += 1
        edited = self.core.store.get(self.user, message.message_id)
        assert edited is not None
        return edited

    async def until(self, condition: object) -> None:
        assert callable(condition)
        async with asyncio.timeout(TAP_TIMEOUT):
            while True:
                self.changed.clear()
                if condition():
                    return
                await self.changed.wait()


async def _enrol(app: App, emu: BotApiEmulator, users: Sequence[int]) -> None:
    store = app.bot_data.services.store
    for user in users:
        emu.add_user(user, first_name=NAME)
        await store.delete_person(user)
        await store.save_profile(enrolled_profile(user), expected_version=0)


async def _stored(app: App, users: Sequence[int]) -> int:
    store = app.bot_data.services.store
    return sum([len(await store.list_checkins(user)) for user in users])


def _leaks(lines: Sequence[str]) -> list[str]:
    words = (*LEAK_WORDS, DEFAULT_TOKEN, DEFAULT_TOKEN.split(":", 1)[1], REDACTED)
    return [line for line in lines if any(word in line for word in words)]


async def run(people: int, seconds: float, redis_url: str | None = None) -> Result:
    """The load run; Redis is `redis_url`, else TWITCHCARE_REDIS_URL, else embedded."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    url = redis_url or os.environ.get("TWITCHCARE_REDIS_URL")
    clock = ManualClock(START)  # one evening: every round after the first updates today's
    users = [FIRST_USER + i for i in range(people)]
    events: dict[int, asyncio.Event] = {user: asyncio.Event() for user in users}

    async def changed(chat_id: int) -> None:
        event = events.get(chat_id)
        if event is not None:
            event.set()

    captured = Captured()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(captured)
    root.setLevel(logging.DEBUG)
    try:
        with tempfile.TemporaryDirectory(prefix="twitchcare-load-") as folder:
            async with BotApiEmulator(clock, on_change=changed) as emu:
                settings = Settings(
                    _env_file=None,
                    bot_token=SecretStr(DEFAULT_TOKEN),
                    redis_url=url,
                    data_dir=Path(folder),
                    api_base_url=emu.base_url,
                    api_file_url=emu.base_file_url,
                    tick_seconds=0,  # only taps are measured
                    rate_limit=False,  # the bot's own capacity, not Telegram's 30 msg/s
                )
                async with running(build_application(settings, clock=clock)) as app:
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0, timeout=5)
                    try:
                        result = await _drive(app, emu, users, events, seconds)
                    finally:
                        await app.updater.stop()
                    stored = await _stored(app, users)
                    for user in users:
                        await app.bot_data.services.store.delete_person(user)
    finally:
        root.removeHandler(captured)
        root.setLevel(old_level)
    return Result(people, seconds, result, stored, captured.lines, _leaks(captured.lines))


async def _drive(
    app: App,
    emu: BotApiEmulator,
    users: Sequence[int],
    events: dict[int, asyncio.Event],
    seconds: float,
) -> Tally:
    tally = Tally()
    await _enrol(app, emu, users)
    failures = _ErrorCounter(tally)
    logging.getLogger("bot.chat.errors").addHandler(failures)
    try:
        deadline = time.monotonic() + seconds
        people = [Person(user, emu, events[user], tally) for user in users]
        # Everyone starts at once; a tap under way at the deadline still completes and counts.
        await asyncio.gather(*(person.run(deadline) for person in people))
        await app.update_queue.join()
    finally:
        logging.getLogger("bot.chat.errors").removeHandler(failures)
    return tally


class _ErrorCounter(logging.Handler):
    """Updates that reached the bot's error handler."""

    def __init__(self, tally: Tally) -> None:
        super().__init__(logging.DEBUG)
        self.tally = tally

    def emit(self, record: logging.LogRecord) -> None:
        self.tally.errors["update reached the error handler"] += 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--log-file", type=Path, default=None, help="write the captured logs")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.people, args.seconds))
    if args.log_file is not None:
        args.log_file.write_text("\n".join(result.log_lines) + "\n", encoding="utf-8")
    print(result.report())
    if result.error_count or not result.equal or result.leaks:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
