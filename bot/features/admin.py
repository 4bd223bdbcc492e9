"""Operator commands, only for the ids in TWITCHCARE_ADMIN_USER_IDS.

`/stats` answers with counts from the due queue, and the pseudonyms (as in the logs) of people
parked after repeated errors, never anything about a person. It is not in the command menu,
and to anyone else it looks exactly like a command the bot does not have.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.replies import send, user_id_of
from bot.chat.router import Feature, on_unknown_command
from bot.core.context import Context, services
from bot.domain.pseudonym import pseudonym
from bot.texts.content import render

SHOWN_PARKED = 20


def is_admin(update: Update, context: Context) -> bool:
    """Whether the sender is a configured operator."""
    return user_id_of(update) in services(context).settings.admin_user_ids


async def on_stats(update: Update, context: Context) -> None:
    """/stats: how many people have a next send scheduled, how late the oldest one is, and who
    is parked (at most SHOWN_PARKED of them, by pseudonym)."""
    if not is_admin(update, context):
        await on_unknown_command(update, context)
        return
    svc = services(context)
    scheduled = await svc.queue.size()
    lag = await svc.queue.oldest_due(svc.clock.now())
    parked = await svc.queue.parked()
    ui = svc.content.ui
    text = render(ui.admin_stats, scheduled=scheduled, lag=f"{lag:.0f}")
    if parked:
        who = " ".join(pseudonym(user_id, context.bot.token) for user_id in parked[:SHOWN_PARKED])
        text += "\n\n" + render(ui.admin_parked, parked=len(parked), who=who)
    await send(update, context, text)


FEATURE = Feature(
    name=__name__,
    commands={"stats": on_stats},
)
