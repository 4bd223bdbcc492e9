"""Drive the real bot over HTTP through the Bot API emulator, as a person would.

Every action waits until the bot has taken the update (the emulator sees it acknowledged) and
PTB has finished handling it (the update queue is joined), so tests never sleep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from telegram.ext import Application

from bot.core.config import Settings
from bot.core.context import App
from bot.ops.app import build_application, running
from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator, ChatMessage
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from scheduler.dispatcher import TickStats

USER = 424242
START = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)  # a Friday morning in London (GMT)


@dataclass
class Harness:
    """One bot, one emulator, one clock, one Redis: what a test acts through."""

    emu: BotApiEmulator
    app: App
    clock: ManualClock
    redis: RedisClient
    store: Store

    async def settle(self, update_id: int) -> None:
        """Return once the bot has fully handled the update."""
        await self.emu.wait_acknowledged(update_id)
        await self.app.update_queue.join()

    async def send(self, text: str, user: int = USER, chat_id: int | None = None) -> None:
        await self.settle(await self.emu.send_text(user, text, chat_id))

    async def share_location(self, latitude: float, longitude: float, user: int = USER) -> None:
        await self.settle(await self.emu.share_location(user, latitude, longitude))

    async def tap(self, button: str, user: int = USER, message_id: int | None = None) -> None:
        """Tap a button (by label or data) on the newest bot message that has it."""
        target = (
            message_id if message_id is not None else self.message_with(button, user).message_id
        )
        await self.settle(await self.emu.tap(user, target, button))

    async def tap_raw(self, data: str, message_id: int, user: int = USER) -> None:
        await self.settle(await self.emu.tap_raw(user, message_id, data))

    def messages(self, user: int = USER) -> list[ChatMessage]:
        return self.emu.bot_messages(user)

    def texts(self, user: int = USER) -> list[str]:
        return [m.text for m in self.messages(user)]

    def last(self, user: int = USER) -> ChatMessage:
        return self.emu.last_bot_message(user)

    def message_with(self, button: str, user: int = USER) -> ChatMessage:
        for message in reversed(self.messages(user)):
            for row in message.button_values:
                if any(button in (text, value) for text, value in row):
                    return message
        raise LookupError(f"no message shows a button {button!r}")

    def last_answer(self) -> str | None:
        answers = self.emu.callback_answers
        return answers[-1].text if answers else None

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    async def tick(self) -> TickStats:
        """One dispatcher tick at the clock's current time, as the JobQueue job would run it."""
        return await self.app.bot_data.dispatcher.tick()

    async def run_until(self, moment: datetime, step: timedelta = timedelta(minutes=1)) -> None:
        """Move the clock to `moment` one step at a time, ticking after each step."""
        while self.clock.now() < moment:
            self.clock.set(min(moment, self.clock.now() + step))
            await self.tick()


def settings_for(emu: BotApiEmulator, redis_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=SecretStr(DEFAULT_TOKEN),
        redis_url=redis_url,
        api_base_url=emu.base_url,
        api_file_url=emu.base_file_url,
        tick_seconds=0,  # tests tick by hand after moving the clock
        rate_limit=False,  # its waits would move the clock; tests that check it turn it on
    )


@asynccontextmanager
async def running_bot(
    emu: BotApiEmulator, settings: Settings, clock: ManualClock
) -> AsyncIterator[App]:
    """Start the real Application in polling mode against the emulator, and stop it after."""
    async with running(build_application(settings, clock=clock)) as app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            yield app
        finally:
            await app.updater.stop()


@asynccontextmanager
async def harness_for(
    redis_url: str, redis: RedisClient, start: datetime = START
) -> AsyncIterator[Harness]:
    clock = ManualClock(start)
    async with BotApiEmulator(clock) as emu:
        emu.add_user(USER, first_name="Robin")
        async with running_bot(emu, settings_for(emu, redis_url), clock) as app:
            yield Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))


__all__ = ["Application", "Harness", "USER", "START", "harness_for", "running_bot", "settings_for"]
