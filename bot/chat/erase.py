"""Erasing a person, once they have confirmed it: from /delete in the chat or from the Mini App.

One copy, so both do the same: every key goes first, then the private chat is told in a new
message (only a new message can take the ⚡ keyboard away), the chat's menu button stops
opening the diary, and a last sweep removes what those two calls re-created (the rate
limiter's bucket named after the chat). A failed notice never leaves data behind.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import CallbackQuery, MenuButtonDefault, ReplyKeyboardRemove
from telegram.error import BadRequest, TelegramError

from bot.core.context import Context, services

log = logging.getLogger(__name__)


async def erase_person(
    context: Context, user_id: int, chat_id: int, question: CallbackQuery | None = None
) -> None:
    """Delete everything stored about `user_id` and say so in `chat_id`, their private chat.
    `question`: the confirmation tapped in the chat, which stops spinning and loses its buttons
    (it stays as it was asked)."""
    store = services(context).store
    await store.delete_person(user_id)
    try:
        await _tell(context, chat_id, question)
    except TelegramError as exc:
        log.warning("the deletion was not confirmed in the chat (%s)", type(exc).__name__)
    finally:
        await store.delete_person(user_id)


async def _tell(context: Context, chat_id: int, question: CallbackQuery | None) -> None:
    svc = services(context)
    if question is not None:
        with suppress(BadRequest):  # tapped more than about 15 minutes ago
            await question.answer()
        with suppress(BadRequest):  # too old to edit, or already without buttons
            await question.edit_message_reply_markup(None)
    await context.bot.send_message(
        chat_id, svc.content.ui.deleted, reply_markup=ReplyKeyboardRemove()
    )
    if svc.settings.webapp_page is not None:
        await context.bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonDefault())
