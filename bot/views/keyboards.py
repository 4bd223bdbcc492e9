"""Keyboards: inline ones as data, (label, callback data) buttons laid out in rows; and the
one reply keyboard, the "⚡ Twitching now" button under the message box."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, WebAppInfo

from bot.domain.callbacks import Action, encode

Button = tuple[str, str]  # (label, callback data)


def new_nonce() -> str:
    """A short token put in a flow's buttons, so older buttons can be recognised as stale."""
    return secrets.token_hex(3)


def button(label: str, action: Action, *args: str) -> Button:
    return (label, encode(action, *args))


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def with_web_app(
    label: str, url: str, above: InlineKeyboardMarkup | None = None
) -> InlineKeyboardMarkup:
    """`above`'s rows, then one button that opens the Mini App at `url` (ARCHITECTURE §11)."""
    rows = [list(row) for row in above.inline_keyboard] if above is not None else []
    rows.append([InlineKeyboardButton(label, web_app=WebAppInfo(url))])
    return InlineKeyboardMarkup(rows)


def columns(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    """Lay buttons out `width` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def log_keyboard(label: str, placeholder: str) -> ReplyKeyboardMarkup:
    """The one-button reply keyboard that logs an episode: always shown (persistent), small
    (resized), and never sent outside the person's private chat."""
    return ReplyKeyboardMarkup(
        [[label]], resize_keyboard=True, is_persistent=True, input_field_placeholder=placeholder
    )
