"""Which language each update is answered in: the person's stored choice (ARCHITECTURE §10).

People not enrolled yet have no stored choice; `Context.from_update` already took their
Telegram `language_code`, and `services()` turns either into that locale's content.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.chat.errors import REDIS_DOWN
from bot.core.context import Context

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
    if profile is not None:
        context.locale = profile.locale
