"""Simulated people: what they send and tap becomes updates for the bot."""

from __future__ import annotations

import itertools
from typing import Any

from bot.texts.telegram_html import Entity, utf16_length
from devtools.emulator.core import Core, PendingQuery
from devtools.emulator.errors import UserActionError
from devtools.emulator.models import Button, Chat, ChatMessage, ChatType, User
from devtools.emulator.serialize import chat_json, unix, user_json

_query_ids = itertools.count(4_000_000_000_000_000_001)


def _person(core: Core, user_id: int) -> User:
    user = core.store.users.get(user_id)
    if user is None:
        raise UserActionError(f"no user {user_id}; call add_user first")
    return user


def _chat(core: Core, user: User, chat_id: int | None) -> Chat:
    chat = core.store.chats.get(user.id if chat_id is None else chat_id)
    if chat is None:
        raise UserActionError(f"no chat {chat_id}; call add_group first")
    if chat.type is ChatType.PRIVATE and core.store.is_blocked(user.id):
        raise UserActionError(f"user {user.id} has blocked the bot; call unblock_bot first")
    return chat


def command_entities(text: str) -> tuple[Entity, ...]:
    if not text.startswith("/"):
        return ()
    command = text.split(maxsplit=1)[0]
    return (Entity("bot_command", 0, utf16_length(command)),)


async def _post(core: Core, user_id: int, chat_id: int | None, **content: Any) -> int:
    user = _person(core, user_id)
    chat = _chat(core, user, chat_id)
    message = core.store.put(
        ChatMessage(
            chat_id=chat.id,
            message_id=core.store.next_message_id(chat.id),
            date=core.clock.now(),
            sender_id=user.id,
            from_bot=False,
            **content,
        )
    )
    await core.notify(chat.id)
    kind = "channel_post" if chat.type is ChatType.CHANNEL else "message"
    return await core.updates.push(kind, core.message_json(message))


async def send_text(core: Core, user_id: int, text: str, chat_id: int | None = None) -> int:
    if not text:
        raise UserActionError("Telegram clients cannot send an empty message")
    return await _post(core, user_id, chat_id, text=text, entities=command_entities(text))


async def share_location(
    core: Core, user_id: int, latitude: float, longitude: float, chat_id: int | None = None
) -> int:
    return await _post(core, user_id, chat_id, location=(latitude, longitude))


def _find_button(message: ChatMessage, wanted: str) -> Button:
    for row in message.buttons:
        for button in row:
            if wanted in (button.text, button.callback_data):
                return button
    shown = [[b.text for b in row] for row in message.buttons]
    raise UserActionError(f"no button {wanted!r} on message {message.message_id}; it shows {shown}")


async def tap(
    core: Core, user_id: int, message_id: int, button: str, chat_id: int | None = None
) -> int:
    """Tap a button on a message as the person currently sees it."""
    user = _person(core, user_id)
    chat = _chat(core, user, chat_id)
    message = core.store.get(chat.id, message_id)
    if message is None:
        raise UserActionError(f"message {message_id} is not visible in chat {chat.id}")
    found = _find_button(message, button)
    if found.callback_data is None:
        raise UserActionError(f"button {found.text!r} opens a link; it sends no callback")
    return await _callback(core, user, chat, message_id, found.callback_data)


async def tap_raw(
    core: Core, user_id: int, message_id: int, data: str, chat_id: int | None = None
) -> int:
    """A callback query with arbitrary data, e.g. forged or from a stale keyboard."""
    user = _person(core, user_id)
    chat = _chat(core, user, chat_id)
    return await _callback(core, user, chat, message_id, data)


async def _callback(core: Core, user: User, chat: Chat, message_id: int, data: str) -> int:
    query_id = str(next(_query_ids))
    core.queries[query_id] = PendingQuery(query_id, user.id, chat.id)
    message = core.store.get(chat.id, message_id)
    shown = (
        core.message_json(message)
        if message is not None
        else {"chat": chat_json(chat), "message_id": message_id, "date": 0}
    )
    payload = {
        "id": query_id,
        "from": user_json(user),
        "message": shown,
        "chat_instance": str(chat.id),
        "data": data,
    }
    return await core.updates.push("callback_query", payload)


async def set_blocked(core: Core, user_id: int, blocked: bool) -> int:
    """Block or unblock the bot; Telegram tells the bot with a `my_chat_member` update."""
    user = _person(core, user_id)
    chat = core.store.chat(user.id)
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    if blocked:
        core.store.blocked.add(user.id)
    else:
        core.store.blocked.discard(user.id)
    bot = user_json(core.bot)
    new_member: dict[str, Any] = {"status": new, "user": bot}
    if blocked:
        new_member["until_date"] = 0
    payload = {
        "chat": chat_json(chat),
        "from": user_json(user),
        "date": unix(core.clock.now()),
        "old_chat_member": {"status": old, "user": bot},
        "new_chat_member": new_member,
    }
    return await core.updates.push("my_chat_member", payload)
