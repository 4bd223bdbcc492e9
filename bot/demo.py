"""`twitchcare demo`: the whole bot in a terminal, against the in-process Bot API emulator.

The real Application, the real handlers and an embedded Redis; only Telegram is played by the
emulator. Buttons are numbered: typing a number taps one, anything else is sent as text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from pydantic import SecretStr

from bot.app import build_application, running
from bot.clock import ScaledClock
from bot.config import Settings
from bot.context import App
from bot.emulator import BotApiEmulator, ChatMessage
from bot.emulator.emulator import DEFAULT_TOKEN
from bot.localtime import local_now

log = logging.getLogger(__name__)

DEMO_USER = 100_000_001
SKIP = ">>"
_LOCATION = re.compile(r"^@\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$")
BANNER = """\
TwitchCare demo: you are chatting with the real bot; Telegram is simulated on this machine.
Type a button's number to tap it, @LAT,LON to share a location, >> to skip ahead to your next
scheduled message, anything else to send it. Ctrl-D quits.
Your demo data is kept in {data_dir} (start with --reset to begin again).
"""


@dataclass
class Transcript:
    """Prints what changed in the chat since last time: new messages and edits."""

    out: TextIO
    seen: dict[int, tuple[object, ...]] = field(default_factory=dict)
    numbered: list[tuple[int, str]] = field(default_factory=list)

    def show(self, messages: list[ChatMessage]) -> None:
        for message in messages:
            state = (message.text, message.caption, message.buttons, message.document)
            if self.seen.get(message.message_id) == state:
                continue
            edited = message.message_id in self.seen
            self.seen[message.message_id] = state
            self._print(message, edited)
        self.out.flush()

    def note(self, text: str) -> None:
        self.out.write(f"\n{text}\n")
        self.out.flush()

    def button(self, number: int) -> tuple[int, str] | None:
        """The (message id, callback data) of the numbered button, if there is one."""
        return self.numbered[number - 1] if 0 < number <= len(self.numbered) else None

    def _print(self, message: ChatMessage, edited: bool) -> None:
        if not message.from_bot:
            return
        marker = "✏️ " if edited else "🤖 "
        body = message.text or message.caption or ""
        if message.document is not None:
            body = f"📎 {message.document.filename} ({len(message.document.data)} bytes)\n{body}"
        self.out.write("\n" + marker + body.replace("\n", "\n   ") + "\n")
        self._print_buttons(message)

    def _print_buttons(self, message: ChatMessage) -> None:
        inline = [b for row in message.buttons for b in row if b.callback_data]
        if not inline:
            return
        self.numbered = [(message.message_id, b.callback_data or "") for b in inline]
        for number, item in enumerate(inline, start=1):
            self.out.write(f"   [{number}] {item.text}\n")


@dataclass
class Demo:
    """One person's chat with the bot, driven line by line."""

    emu: BotApiEmulator
    app: App
    transcript: Transcript
    clock: ScaledClock
    # Typed lines and the scheduler's ticks take turns, so a tick never sends (and renumbers
    # the buttons) in the middle of a line, nor takes a `>>` jump's send away from it.
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def handle(self, line: str) -> None:
        """Act on one typed line, then print what changed."""
        async with self.turn:
            await self._handle(line)

    async def _handle(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if text == SKIP:
            await self.skip_ahead()
            return
        location = _LOCATION.match(text)
        if text.isdigit() and self.transcript.button(int(text)):
            message_id, data = self.transcript.button(int(text)) or (0, "")
            update_id = await self.emu.tap(DEMO_USER, message_id, data)
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
        profile = await services.store.get_profile(DEMO_USER)
        zone = profile.zone if profile and profile.zone else "UTC"
        self.transcript.note(f"⏩ {local_now(zone, due):%A %-d %B, %H:%M} ({zone})")
        await self.app.bot_data.dispatcher.tick()
        self.transcript.show(self.emu.chat(DEMO_USER))

    async def tick_every(self, seconds: float) -> None:
        """The scheduler's real-time ticks (the demo's stand-in for the JobQueue job)."""
        while True:
            await asyncio.sleep(seconds)
            async with self.turn:
                try:
                    await self.app.bot_data.dispatcher.tick()
                except Exception as exc:  # as the JobQueue job would: log it, tick again later
                    log.error("scheduled tick failed with %s", type(exc).__name__)
                self.transcript.show(self.emu.chat(DEMO_USER))

    async def watch(self) -> None:
        """Print messages that arrive on their own (the scheduler's real-time ticks)."""
        version = self.emu.version
        while True:
            version = await self.emu.wait_for_change(version)
            self.transcript.show(self.emu.chat(DEMO_USER))

    async def settle(self, update_id: int) -> None:
        """Wait until the bot has handled the update, then print what changed."""
        await self.emu.wait_acknowledged(update_id)
        await self.app.update_queue.join()
        self.transcript.show(self.emu.chat(DEMO_USER))


async def run_demo(
    settings: Settings,
    *,
    speed: float = 1.0,
    reset: bool = False,
    read_line: Callable[[], str] = sys.stdin.readline,
    out: TextIO = sys.stdout,
) -> None:
    """Run the bot against the emulator until the input ends."""
    start = settings.clock_start or datetime.now(UTC)
    clock = ScaledClock(start=start, speed=speed)
    data_dir = settings.data_dir / "demo"
    out.write(BANNER.format(data_dir=data_dir))
    async with BotApiEmulator(clock) as emu:
        emu.add_user(DEMO_USER, first_name="Demo")
        demo_settings = settings.model_copy(
            update={
                "bot_token": SecretStr(DEFAULT_TOKEN),
                "redis_url": None,
                "data_dir": data_dir,
                "api_base_url": emu.base_url,
                "api_file_url": emu.base_file_url,
                "tick_seconds": 0,  # no JobQueue ticks: Demo.tick_every takes turns with input
            }
        )
        application = build_application(demo_settings, clock=clock)
        # The chat is the demo's output; the framework's progress lines would only clutter it.
        logging.getLogger("telegram").setLevel(max(logging.WARNING, logging.getLogger().level))
        async with running(application) as app:
            if reset:
                await app.bot_data.services.store.delete_person(DEMO_USER)
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=5)
            demo = Demo(emu=emu, app=app, transcript=Transcript(out), clock=clock)
            watcher = asyncio.create_task(demo.watch())
            ticker = asyncio.create_task(demo.tick_every(settings.tick_seconds or 1.0))
            await demo.handle("/start")
            while line := await asyncio.to_thread(read_line):
                await demo.handle(line)
            async with demo.turn:  # never cut a tick off mid-send
                ticker.cancel()
            watcher.cancel()
            await app.updater.stop()
    out.write("\nBye! 👋\n")
    out.flush()
