"""Which language each update is answered in: the person's stored choice (ARCHITECTURE §10).

People not enrolled yet have no stored choice; `Context.from_update` already took their
Telegram `language_code`, and `services()` turns either into that locale's content.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.chat.errors import REDIS_DOWN
from bot.core.context import Context
from bot.domain.models import Profile

log = logging.getLogger(__name__)


async def stored_locale(update: Update, context: Context) -> None:
    """Group -1: read the person's locale once, for every handler of this update."""
    user = update.effective_user
    if user is None:
        return
    try:
        profile = await context.bot_data.services.store.get_profile(user.id)
    except REDIS_DOWN as exc:
        # The handler's own read fails the same way and the error handler answers, once.
        log.warning("could not read the locale: %s", type(exc).__name__)
        return
    context.opening_profile = (user.id, profile)
    if profile is not None:
        context.locale = profile.locale


async def profile_read_at_start(context: Context, user_id: int) -> Profile | None:
    """The person's profile as this update found it: group -1's read when it was theirs, else
    a fresh one. Only for handlers whose writes check the profile again inside Redis."""
    opening = context.opening_profile
    if opening is not None and opening[0] == user_id:
        return opening[1]
    return await context.bot_data.services.store.get_profile(user_id)
