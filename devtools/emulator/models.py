"""Immutable records of what the emulator holds: people, chats, messages, files, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.texts.telegram_html import Entity


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    language_code: str = "en"
    username: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    first_name: str | None = None


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the person sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app: str | None = None  # the Mini App's URL a web_app button opens

    @property
    def value(self) -> str | None:
        """The callback data, or the URL for link and Mini App buttons."""
        if self.callback_data is not None:
            return self.callback_data
        return self.url if self.url is not None else self.web_app


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Attachment:
    """A file the bot uploaded (a document or a photo)."""

    kind: str
    file_id: str
    file_unique_id: str
    filename: str | None
    data: bytes = field(repr=False)
    mime_type: str | None
    caption: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ChatMessage:
    """A message as it currently looks in the chat."""

    chat_id: int
    message_id: int
    date: datetime
    sender_id: int
    from_bot: bool
    text: str = ""
    html: str | None = None
    entities: tuple[Entity, ...] = ()
    buttons: Keyboard = ()
    reply_markup: dict[str, Any] | None = None
    # A reply keyboard sent with the message: Telegram shows it under the input field.
    reply_keyboard: dict[str, Any] | None = None
    edited: bool = False
    edit_date: datetime | None = None
    document: Attachment | None = None
    photo: Attachment | None = None
    caption: str | None = None
    location: tuple[float, float] | None = None

    @property
    def button_values(self) -> list[list[tuple[str, str | None]]]:
        """Buttons as rows of (text, callback_data or url)."""
        return [[(b.text, b.value) for b in row] for row in self.buttons]


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One Bot API call, with uploaded file bytes replaced by a short description."""

    method: str
    params: dict[str, Any]
