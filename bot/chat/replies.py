"""Sending, editing and answering taps: the few ways a handler talks, in one place."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from bot.core.context import Context

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def user_id_of(update: Update) -> int:
    """The person behind an update; handlers only run for updates that have one."""
    user = update.effective_user
    if user is None:
        raise LookupError("update without a user")
    return user.id


async def send(
    update: Update, context: Context, text: str, markup: Markup | None = None
) -> Message:
    """Send a new HTML message to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        raise LookupError("update without a chat")
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def send_to(
    context: Context, chat_id: int, text: str, markup: Markup | None = None
) -> Message:
    """Send a new HTML message to a chat by id."""
    return await context.bot.send_message(chat_id, text, reply_markup=markup)


async def retire(context: Context, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message whose question was answered or asked anew (stale now)."""
    with suppress(BadRequest):  # too old to edit, deleted, or already without buttons
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


# Telegram's answers when the tapped message can no longer be edited (deleted, or too old).
_GONE = ("message to edit not found", "message can't be edited")


async def edit(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> int | None:
    """Edit the tapped message in place and return its id; an identical edit (a double tap) is
    not an error, and a message that can no longer be edited is replaced by a new one."""
    message = query.message
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        reason = exc.message.lower()
        if "not modified" in reason:
            return message.message_id if message else None
        if message is None or not any(gone in reason for gone in _GONE):
            raise
        sent = await query.get_bot().send_message(message.chat.id, text, reply_markup=markup)
        return sent.message_id
    return message.message_id if message else None


async def confirm_with(query: CallbackQuery, text: str, markup: ReplyKeyboardRemove) -> None:
    """Answer a confirmation question with a new message that carries a reply-keyboard change
    (an edit cannot): the question loses its buttons and stays as it was asked."""
    message = query.message
    if message is None:
        return
    with suppress(BadRequest):  # too old to edit, or already without buttons
        await query.edit_message_reply_markup(None)
    await query.get_bot().send_message(message.chat.id, text, reply_markup=markup)


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner, optionally with a short notice."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest:
        # The query expired (taps older than about 15 minutes); the edit already happened.
        log.info("callback answer came too late")
