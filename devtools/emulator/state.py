"""Who exists and what each chat shows: users, chats, messages and uploaded files."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

from devtools.emulator import errors
from devtools.emulator.errors import bad_request
from devtools.emulator.models import Attachment, Chat, ChatMessage, ChatType, User


class ChatStore:
    """The server-side truth of every chat; messages kept in send order."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, Attachment] = {}
        self._messages: dict[int, dict[int, ChatMessage]] = {}
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._file_counter = itertools.count(1)

    def add_user(self, user: User) -> Chat:
        self.users[user.id] = user
        return self._add_chat(Chat(user.id, ChatType.PRIVATE, first_name=user.first_name))

    def add_group(self, chat_id: int, title: str, chat_type: ChatType) -> Chat:
        if chat_type is ChatType.PRIVATE:
            raise ValueError("use add_user for private chats")
        return self._add_chat(Chat(chat_id, chat_type, title=title))

    def _add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        self._messages.setdefault(chat.id, {})
        self._next_message_id.setdefault(chat.id, itertools.count(1))
        return chat

    def chat(self, chat_id: int) -> Chat:
        """The chat, or Telegram's "chat not found"."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request(errors.CHAT_NOT_FOUND)
        return chat

    def is_blocked(self, chat_id: int) -> bool:
        return chat_id in self.blocked

    def next_message_id(self, chat_id: int) -> int:
        return next(self._next_message_id[chat_id])

    def put(self, message: ChatMessage) -> ChatMessage:
        self._messages[message.chat_id][message.message_id] = message
        return message

    def get(self, chat_id: int, message_id: int) -> ChatMessage | None:
        return self._messages.get(chat_id, {}).get(message_id)

    def update(self, message: ChatMessage, **changes: Any) -> ChatMessage:
        return self.put(dataclasses.replace(message, **changes))

    def delete(self, chat_id: int, message_id: int) -> bool:
        return self._messages.get(chat_id, {}).pop(message_id, None) is not None

    def visible(self, chat_id: int) -> list[ChatMessage]:
        return list(self._messages.get(chat_id, {}).values())

    def all_messages(self) -> Iterator[ChatMessage]:
        for messages in self._messages.values():
            yield from messages.values()

    def store_file(
        self, kind: str, filename: str | None, data: bytes, mime: str | None, caption: str | None
    ) -> Attachment:
        number = next(self._file_counter)
        attachment = Attachment(
            kind=kind,
            file_id=f"{kind}-{number:08d}",
            file_unique_id=f"u{number:08d}",
            filename=filename,
            data=data,
            mime_type=mime,
            caption=caption,
        )
        self.files[attachment.file_id] = attachment
        return attachment
