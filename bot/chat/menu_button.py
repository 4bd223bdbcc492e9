"""The chat's menu button opens the Mini App "My diary" (ARCHITECTURE §11).

Set per private chat, in the person's language, once they are enrolled (and again on /start,
so a change of URL or language reaches people enrolled before it). Only with
TWITCHCARE_WEBAPP_URL set; a failure to set it never stops the conversation.
"""

from __future__ import annotations

import logging

from telegram import MenuButtonWebApp, Update, WebAppInfo
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.core.context import Context, services

log = logging.getLogger(__name__)


async def offer_diary(update: Update, context: Context) -> None:
    """Point this private chat's menu button at the Mini App."""
    svc = services(context)
    url, chat = svc.settings.webapp_page, update.effective_chat
    if url is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    button = MenuButtonWebApp(svc.content.ui.webapp_button, WebAppInfo(url))
    try:
        await context.bot.set_chat_menu_button(chat_id=chat.id, menu_button=button)
    except TelegramError as exc:
        log.warning("the Mini App's menu button was not set (%s)", type(exc).__name__)
