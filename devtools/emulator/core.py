"""The emulator's shared state, used by the API methods, the server and the test-user API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.domain.clock import Clock
from devtools.emulator import errors
from devtools.emulator.errors import forbidden
from devtools.emulator.faults import FaultInjector
from devtools.emulator.models import (
    CallbackAnswer,
    Chat,
    ChatMessage,
    ChatType,
    RecordedRequest,
    User,
)
from devtools.emulator.params import Params
from devtools.emulator.ratelimit import RateLimiter, RateLimits
from devtools.emulator.serialize import message_json
from devtools.emulator.state import ChatStore
from devtools.emulator.updates import UpdateQueue

OnChange = Callable[[int], Awaitable[None]]


@dataclass
class PendingQuery:
    query_id: str
    user_id: int
    chat_id: int
    answered: bool = False


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40


@dataclass
class Core:
    clock: Clock
    token: str
    bot: User
    limits: RateLimits | None = None
    on_change: OnChange | None = None
    store: ChatStore = field(default_factory=ChatStore)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    faults: FaultInjector = field(default_factory=FaultInjector)
    webhook: Webhook = field(default_factory=Webhook)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    # setChatMenuButton: per private chat, and the bot's default under None.
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    queries: dict[str, PendingQuery] = field(default_factory=dict)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    # Called with each request as it arrives, before it is answered (fault tests act there).
    observers: list[Callable[[RecordedRequest], None]] = field(default_factory=list)
    version: int = 0
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _limiter: RateLimiter | None = None

    def menu_button(self, chat_id: int | None) -> dict[str, Any]:
        """The menu button a chat shows: its own, else the bot's default, else commands."""
        default = self.menu_buttons.get(None, {"type": "commands"})
        return dict(self.menu_buttons.get(chat_id, default))

    def __post_init__(self) -> None:
        if self.limits is not None:
            self._limiter = RateLimiter(self.limits, self.clock)

    def set_limits(self, limits: RateLimits | None) -> None:
        self.limits = limits
        self._limiter = RateLimiter(limits, self.clock) if limits is not None else None

    def log(self, method: str, params: Params) -> None:
        request = RecordedRequest(method, params.loggable())
        self.requests.append(request)
        for observer in self.observers:
            observer(request)

    def target_chat(self, params: Params) -> Chat:
        """The chat a send goes to: it must exist and must not have blocked the bot."""
        chat = self.store.chat(params.chat_id())
        if chat.type is ChatType.PRIVATE and self.store.is_blocked(chat.id):
            raise forbidden(errors.BOT_BLOCKED)
        return chat

    def charge(self, chat_id: int, params: Params) -> None:
        """Charge one new message to the flood limits (paid ones to the paid bucket)."""
        if self._limiter is not None:
            self._limiter.charge(chat_id, paid=params.flag("allow_paid_broadcast"))

    def sender(self, message: ChatMessage) -> User:
        return self.bot if message.from_bot else self.store.users[message.sender_id]

    def message_json(self, message: ChatMessage) -> dict[str, Any]:
        return message_json(message, self.store.chat(message.chat_id), self.sender(message))

    async def notify(self, chat_id: int) -> None:
        """Tell watchers that what a chat shows has changed."""
        async with self._changed:
            self.version += 1
            self._changed.notify_all()
        if self.on_change is not None:
            await self.on_change(chat_id)

    async def wait_for_change(self, seen_version: int) -> int:
        async with self._changed:
            await self._changed.wait_for(lambda: self.version > seen_version)
            return self.version
