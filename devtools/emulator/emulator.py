"""`BotApiEmulator`: a local Telegram Bot API server for end-to-end tests and the demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.domain.clock import Clock
from devtools.emulator import people
from devtools.emulator.core import Core, OnChange
from devtools.emulator.faults import FaultKind
from devtools.emulator.models import (
    CallbackAnswer,
    ChatMessage,
    ChatType,
    RecordedRequest,
    User,
)
from devtools.emulator.ratelimit import RateLimits
from devtools.emulator.server import ApiServer
from devtools.emulator.webhook import Secret, SecretChoice, deliver

DEFAULT_TOKEN = "123456789:TEST-token_for-the-emulator"


class BotApiEmulator:
    """A Telegram Bot API on 127.0.0.1 that keeps Telegram's rules and plays the people.

    Point python-telegram-bot at `base_url`/`base_file_url`; drive the people with
    `send_text`, `tap`, ...; read what they see with `chat()`.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        token: str = DEFAULT_TOKEN,
        limits: RateLimits | None = None,
        on_change: OnChange | None = None,
        bot_name: str = "TwitchCare",
        bot_username: str = "twitchcare_bot",
    ) -> None:
        bot_id = token.split(":", 1)[0]
        bot = User(
            id=int(bot_id) if bot_id.isdigit() else 1,
            first_name=bot_name,
            username=bot_username,
            is_bot=True,
        )
        self.token = token
        self._core = Core(clock=clock, token=token, bot=bot, limits=limits, on_change=on_change)
        self._server = ApiServer(self._core)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        runner = web.AppRunner(self._server.application(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Wake long polls, release hung requests and shut the server down."""
        await self._core.updates.close()
        self._server.hung.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> User:
        return self._core.bot

    # people and chats ---------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Alex",
        language_code: str = "en",
        username: str | None = None,
    ) -> User:
        """A person with a private chat whose id equals `user_id`."""
        user = User(user_id, first_name, language_code, username)
        self._core.store.add_user(user)
        return user

    def add_group(
        self, chat_id: int, title: str, chat_type: ChatType | str = ChatType.GROUP
    ) -> None:
        self._core.store.add_group(chat_id, title, ChatType(chat_type))

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> int:
        """The person sends `text`; returns the update id."""
        return await people.send_text(self._core, user_id, text, chat_id)

    async def share_location(
        self, user_id: int, latitude: float, longitude: float, chat_id: int | None = None
    ) -> int:
        return await people.share_location(self._core, user_id, latitude, longitude, chat_id)

    async def tap(
        self, user_id: int, message_id: int, button: str, chat_id: int | None = None
    ) -> int:
        """Tap the button whose text or callback data is `button`; returns the update id."""
        return await people.tap(self._core, user_id, message_id, button, chat_id)

    async def tap_raw(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> int:
        """Send a callback query with any data (forged or stale buttons)."""
        return await people.tap_raw(self._core, user_id, message_id, data, chat_id)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """Someone else removes a message: a group admin, or an anti-spam bot that deletes
        every /command as soon as it arrives."""
        if not self._core.store.delete(chat_id, message_id):
            raise LookupError(f"no message {message_id} in chat {chat_id}")

    async def block_bot(self, user_id: int) -> int:
        """The person blocks the bot: sends to them fail with 403 from now on."""
        return await people.set_blocked(self._core, user_id, blocked=True)

    async def unblock_bot(self, user_id: int) -> int:
        return await people.set_blocked(self._core, user_id, blocked=False)

    def is_blocked(self, user_id: int) -> bool:
        return self._core.store.is_blocked(user_id)

    # acknowledgement and change notification ---------------------------------------

    async def wait_acknowledged(self, update_id: int) -> None:
        """Return once the bot has called getUpdates with an offset past `update_id`."""
        await self._core.updates.wait_acknowledged(update_id)

    async def wait_for_long_poll(self) -> None:
        """Return once the bot is blocked in a getUpdates long poll with nothing pending."""
        await self._core.updates.wait_for_long_poll()

    def is_acknowledged(self, update_id: int) -> bool:
        return self._core.updates.is_acknowledged(update_id)

    @property
    def version(self) -> int:
        """Grows by one whenever any chat changes."""
        return self._core.version

    async def wait_for_change(self, seen_version: int) -> int:
        """Wait until some chat changed after `seen_version`; returns the new version."""
        return await self._core.wait_for_change(seen_version)

    # faults and limits -------------------------------------------------------------

    def inject_fault(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: FaultKind | str,
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail as `kind`
        (`retry_after`: the seconds a `flood` fault's 429 asks for)."""
        self._core.faults.add(method, chat_id, FaultKind(kind), times, retry_after)

    def clear_faults(self) -> None:
        self._core.faults.clear()

    def release_hung(self) -> None:
        """Let requests held by the `timeout` fault answer now (and `hang` ones drop)."""
        self._server.hung.release()

    @property
    def hung_requests(self) -> int:
        return self._server.hung.count

    async def wait_hung(self, count: int = 1) -> None:
        """Return once at least `count` requests are held by a `timeout` or `hang` fault."""
        await self._server.hung.wait_for(count)

    def set_limits(self, limits: RateLimits | None) -> None:
        self._core.set_limits(limits)

    # what the people see ---------------------------------------------------------------

    def chat(self, chat_id: int) -> list[ChatMessage]:
        """Messages visible in the chat, oldest first (deleted ones are gone)."""
        return self._core.store.visible(chat_id)

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.chat(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> ChatMessage:
        messages = self.bot_messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has sent nothing visible to chat {chat_id}")
        return messages[-1]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self._core.callback_answers)

    @property
    def commands(self) -> list[tuple[str, str]]:
        """The default-scope, default-language command list from setMyCommands."""
        return self.commands_for()

    def commands_for(
        self, scope: dict[str, object] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return [(c["command"], c["description"]) for c in self._core.commands.get(key, [])]

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any]:
        """The menu button a chat shows (setChatMenuButton), else the bot's default's."""
        return self._core.menu_button(chat_id)

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self._core.requests)

    def observe(self, observer: Callable[[RecordedRequest], None]) -> None:
        """Call `observer` with every request as it arrives, before it is answered: a fault
        test can act at an exact point inside the bot's send path."""
        self._core.observers.append(observer)

    def requests_for(self, method: str) -> list[RecordedRequest]:
        return [r for r in self._core.requests if r.method.lower() == method.lower()]

    async def deliver(
        self, update_id: int, url: str | None = None, secret: SecretChoice = Secret.REGISTERED
    ) -> int:
        """POST a pending update to the webhook (or to `url`, e.g. one replica behind the load
        balancer) with the registered secret (or `secret`; None sends no header), as Telegram
        does. A 2xx answer acknowledges the update. Returns the HTTP status."""
        return await deliver(self._core, update_id, url, secret)

    @property
    def webhook_url(self) -> str:
        return self._core.webhook.url

    @property
    def webhook_secret_token(self) -> str | None:
        return self._core.webhook.secret_token

    @property
    def pending_updates(self) -> list[dict[str, object]]:
        return self._core.updates.pending
