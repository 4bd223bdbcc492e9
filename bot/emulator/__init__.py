"""A local Telegram Bot API emulator for end-to-end tests and the terminal demo."""

from bot.emulator.emulator import DEFAULT_TOKEN, BotApiEmulator
from bot.emulator.errors import ApiError, UserActionError
from bot.emulator.faults import FaultKind
from bot.emulator.htmltext import Entity, FormattedText, parse_html
from bot.emulator.models import (
    Attachment,
    Button,
    CallbackAnswer,
    ChatMessage,
    ChatType,
    RecordedRequest,
    User,
)
from bot.emulator.ratelimit import RateLimits

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
