"""A local Telegram Bot API emulator for end-to-end tests and the terminal demo."""

from bot.texts.telegram_html import Entity, FormattedText
from devtools.emulator.emulator import DEFAULT_TOKEN, BotApiEmulator
from devtools.emulator.errors import ApiError, UserActionError
from devtools.emulator.faults import FaultKind
from devtools.emulator.htmltext import parse_html
from devtools.emulator.models import (
    Attachment,
    Button,
    CallbackAnswer,
    ChatMessage,
    ChatType,
    RecordedRequest,
    User,
)
from devtools.emulator.ratelimit import RateLimits

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Attachment",
    "BotApiEmulator",
    "Button",
    "CallbackAnswer",
    "ChatMessage",
    "ChatType",
    "Entity",
    "FaultKind",
    "FormattedText",
    "RateLimits",
    "RecordedRequest",
    "User",
    "UserActionError",
    "parse_html",
]
