"""Operator commands, only for the ids in TWITCHCARE_ADMIN_USER_IDS.

`/stats` answers with counts from the due queue, never anything about a person. It is not in
the command menu, and to anyone else it looks exactly like a command the bot does not have.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import guide
from bot.content import render
from bot.context import Context, services
from bot.models import FlowKind
from bot.replies import send, user_id_of


def is_admin(update: Update, context: Context) -> bool:
    """Whether the sender is a configured operator."""
    return user_id_of(update) in services(context).settings.admin_user_ids


async def on_stats(update: Update, context: Context) -> None:
    """/stats: how many people have a next send scheduled, and how late the oldest one is."""
    if not is_admin(update, context):
        await guide.on_unknown_command(update, context)
        return
    svc = services(context)
    scheduled = await svc.queue.size()
    lag = await svc.queue.oldest_due(svc.clock.now())
    await send(
        update, context, render(svc.content.ui.admin_stats, scheduled=scheduled, lag=f"{lag:.0f}")
    )


COMMANDS = {"stats": on_stats}
CALLBACKS: dict[str, Any] = {}
TEXT_STEPS: dict[FlowKind, Any] = {}
LOCATION_STEPS: dict[FlowKind, Any] = {}
