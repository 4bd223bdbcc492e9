"""A person blocking or unblocking the bot (Telegram's my_chat_member updates)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from bot.core.context import Context, services
from bot.domain.models import Status
from bot.storage.store import ProfileNotFound

log = logging.getLogger(__name__)


async def on_my_chat_member(update: Update, context: Context) -> None:
    """Blocked: mark the person inactive, which also takes them out of the due queue."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    if change.new_chat_member.status not in (ChatMember.BANNED, ChatMember.LEFT):
        return  # unblocked: they come back through /start and "Carry on"
    try:
        await services(context).store.update_profile(
            change.chat.id, lambda p: p.model_copy(update={"status": Status.INACTIVE})
        )
    except ProfileNotFound:
        return
    log.info("a person blocked the bot; marked inactive")
