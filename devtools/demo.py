"""`twitchcare demo`: the whole bot in a terminal, against the in-process Bot API emulator.

The real Application, the real handlers and an embedded Redis; only Telegram is played by the
emulator. Buttons are numbered: typing a number taps one (a button under the message box also
by its words), anything else is sent as text.
Nothing typed can stop the demo: a line that fails prints one friendly sentence (the details
go to the demo's log file) and the chat goes on. The simulated clock is kept in the data
folder (a SavedClock), so a demo started again carries on from the moment it was left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr

from bot.core.config import Settings
from bot.core.context import App
from bot.domain.clock import SavedClock
from bot.domain.localtime import local_now
from bot.ops.app import build_application, running
from devtools.demo_transcript import Say, Tap, Transcript
from devtools.emulator import BotApiEmulator
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.emulator.errors import UserActionError

log = logging.getLogger(__name__)

DEMO_USER = 100_000_001
SKIP = ">>"
# How long one typed line may take before the demo gives up waiting for the bot's answer.
ANSWER_TIMEOUT = 30.0
_LOCATION = re.compile(r"^@\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$")
BANNER = """\
TwitchCare demo: you are chatting with the real bot; Telegram is simulated on this machine.
Type a button's number to tap it (a button under the message box also by its words),
@LAT,LON to share a location, >> to skip ahead to your next scheduled message, anything else
to send it. Ctrl-D quits.
Your demo data is kept in {data_dir} (start with --reset to begin again); its log: {log}.
"""
GONE = "That button isn't there any more. Type one of the numbers shown, or a message."
FAILED = "Sorry, that didn't work. The demo carries on; the details are in {log}."
SLOW = "The bot is taking longer than usual to answer; it may still reply."
# Shown whenever the demo is ready for the next line.
PROMPT = "› "


@dataclass
class Demo:
    """One person's chat with the bot, driven line by line."""

    emu: BotApiEmulator
    app: App
    transcript: Transcript
    clock: SavedClock
    log_path: Path
    # Typed lines and the scheduler's ticks take turns, so a tick never sends (and renumbers
    # the buttons) in the middle of a line, nor takes a `>>` jump's send away from it.
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def handle(self, line: str) -> None:
        """Act on one typed line, then print what changed. Never raises (but cancellation)."""
        async with self.turn:
            try:
                async with asyncio.timeout(ANSWER_TIMEOUT):
                    await self._handle(line.strip())
                self.transcript.remind()
            except UserActionError:
                self.transcript.note(GONE)
            except TimeoutError:
                self.transcript.note(SLOW)
            except Exception:
                log.exception("a typed line failed in the demo")
                self.transcript.note(FAILED.format(log=self.log_path))
            self.transcript.prompt(PROMPT)
            self.clock.save()

    async def _handle(self, text: str) -> None:
        if not text:
            return
        if text == SKIP:
            await self.skip_ahead()
            return
        location = _LOCATION.match(text)
        action = (
            self.transcript.action(int(text)) if text.isdigit() else self.transcript.typed(text)
        )
        if isinstance(action, Tap):
            update_id = await self.emu.tap(DEMO_USER, action.message_id, action.data)
        elif isinstance(action, Say):
            self.transcript.sent(action)
            update_id = await self.emu.send_text(DEMO_USER, action.text)
        elif location:
            lat, lon = float(location.group(1)), float(location.group(2))
            update_id = await self.emu.share_location(DEMO_USER, lat, lon)
        else:
            update_id = await self.emu.send_text(DEMO_USER, text)
        await self.settle(update_id)

    async def skip_ahead(self) -> None:
        """Move the clock to the next scheduled send and run the dispatcher, as if time passed."""
        services = self.app.bot_data.services
        due = await services.queue.due_at(DEMO_USER)
        if due is None:
            self.transcript.note("Nothing is scheduled for you right now.")
            return
        if due > self.clock.now():
            self.clock.jump(due - self.clock.now())
        self.transcript.note(f"⏩ {await self._local_time(due)}")
        await self.app.bot_data.dispatcher.tick()
        self.show()

    async def tick_every(self, seconds: float) -> None:
        """The scheduler's real-time ticks (the demo's stand-in for the JobQueue job)."""
        while True:
            await asyncio.sleep(seconds)
            async with self.turn:
                try:
                    await self.app.bot_data.dispatcher.tick()
                except Exception as exc:  # as the JobQueue job would: log it, tick again later
                    log.error("scheduled tick failed with %s", type(exc).__name__)
                if self.show():
                    self.transcript.prompt(PROMPT)
                self.clock.save()

    async def watch(self) -> None:
        """Print messages that arrive on their own (the scheduler's real-time ticks)."""
        version = self.emu.version
        while True:
            version = await self.emu.wait_for_change(version)
            async with self.turn:  # a typed line or a tick prints its own answer, once whole
                if self.show():
                    self.transcript.prompt(PROMPT)

    async def settle(self, update_id: int) -> None:
        """Wait until the bot has handled the update, then print what changed."""
        await self.emu.wait_acknowledged(update_id)
        await self.app.update_queue.join()
        self.show()

    def show(self) -> bool:
        """Print what changed in the chat; whether anything was printed."""
        return self.transcript.show(self.emu.chat(DEMO_USER), self.emu.callback_answers)

    async def _local_time(self, moment: datetime) -> str:
        profile = await self.app.bot_data.services.store.get_profile(DEMO_USER)
        zone = profile.zone if profile and profile.zone else "UTC"
        return f"{local_now(zone, moment):%A %-d %B, %H:%M} ({zone})"

    async def greet(self, resumed: bool) -> None:
        """Say which simulated moment the demo starts at, then open the chat."""
        moment = await self._local_time(self.clock.now())
        if resumed:
            self.transcript.note(f"🕰 Carrying on from where you left: {moment}.")
        else:
            self.transcript.note(f"🕰 A new simulated week starts now: {moment}.")
        await self.handle("/start")


async def run_demo(
    settings: Settings,
    *,
    speed: float = 1.0,
    reset: bool = False,
    read_line: Callable[[], str] = sys.stdin.readline,
    out: TextIO = sys.stdout,
) -> None:
    """Run the bot against the emulator until the input ends."""
    data_dir = settings.data_dir / "demo"
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _log_to_file(data_dir / "demo.log") as log_path:
        await _run(
            settings, data_dir, log_path, speed=speed, reset=reset, read_line=read_line, out=out
        )


async def _run(
    settings: Settings,
    data_dir: Path,
    log_path: Path,
    *,
    speed: float,
    reset: bool,
    read_line: Callable[[], str],
    out: TextIO,
) -> None:
    start = settings.clock_start or datetime.now(UTC)
    clock = SavedClock(data_dir / "clock.json", start, speed, resume=not reset)
    out.write(BANNER.format(data_dir=data_dir, log=log_path))
    async with BotApiEmulator(clock) as emu:
        emu.add_user(DEMO_USER, first_name="Demo")
        application = build_application(_demo_settings(settings, emu, data_dir), clock=clock)
        async with running(application) as app:
            if reset:
                await app.bot_data.services.store.delete_person(DEMO_USER)
            transcript = Transcript(out)
            demo = Demo(emu, app, transcript, clock, log_path)
            await _chat(demo, read_line, settings.tick_seconds or 1.0, clock.resumed)
    out.write("\nBye! 👋\n")
    out.flush()


async def _chat(demo: Demo, read_line: Callable[[], str], tick: float, resumed: bool) -> None:
    """Poll the emulator, tick the scheduler and handle typed lines until the input ends."""
    updater = demo.app.updater
    assert updater is not None
    await updater.start_polling(poll_interval=0, timeout=5)
    watcher = asyncio.create_task(demo.watch())
    ticker = asyncio.create_task(demo.tick_every(tick))
    try:
        await demo.greet(resumed)
        while line := await asyncio.to_thread(read_line):
            await demo.handle(line)
    finally:
        async with demo.turn:  # never cut a tick off mid-send
            ticker.cancel()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(ticker, watcher)
        await updater.stop()
        demo.clock.save()


def _demo_settings(settings: Settings, emu: BotApiEmulator, data_dir: Path) -> Settings:
    return settings.model_copy(
        update={
            "bot_token": SecretStr(DEFAULT_TOKEN),
            "redis_url": None,
            "data_dir": data_dir,
            "api_base_url": emu.base_url,
            "api_file_url": emu.base_file_url,
            "tick_seconds": 0,  # no JobQueue ticks: Demo.tick_every takes turns with input
        }
    )


@contextlib.contextmanager
def _log_to_file(path: Path) -> Iterator[Path]:
    """The chat is the demo's screen: log lines go to a file in its data folder instead."""
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    before = root.handlers
    for old in before:
        handler.setFormatter(old.formatter)
    root.handlers = [handler]
    try:
        yield path
    finally:
        root.handlers = before
        handler.close()
