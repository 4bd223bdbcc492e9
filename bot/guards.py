"""Updates the bot must not act on: anything outside a private chat."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.content import render_plain
from bot.context import Context, services
from bot.replies import answer

log = logging.getLogger(__name__)


async def private_chats_only(update: Update, context: Context) -> None:
    """Health data stays in private chats: elsewhere explain once per message, store nothing."""
    chat = update.effective_chat
    if chat is None or update.my_chat_member is not None:
        return  # chat-member changes are handled on their own
    if chat.type == Chat.PRIVATE and update.effective_user is not None:
        return
    ui = services(context).content.ui
    if update.callback_query is not None:
        await answer(update.callback_query, render_plain(ui.foreign_button))
    elif update.message is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        await update.message.reply_text(ui.group_refusal)
    log.info("ignored an update from a %s chat", chat.type)
    raise ApplicationHandlerStop
