"""Who may act, and where: each person only in their own private chat.

A guard stops the update *first*. Its refusal is a courtesy: when sending it fails (a 5xx, a
403, a dropped connection, a group whose anti-spam bot deleted the command it quotes), the
update must still go no further, because the handlers after it read and send health data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

from telegram import Chat, Message, MessageEntity, ReplyParameters, Update
from telegram.ext import ApplicationHandlerStop

from bot.chat.replies import answer
from bot.core.context import Context, services
from bot.domain.models import Level, Reason
from bot.texts.content import Content, Html, render, render_plain

log = logging.getLogger(__name__)

GROUPS = (Chat.GROUP, Chat.SUPERGROUP)
KNOWN_CHATS = (Chat.PRIVATE, Chat.CHANNEL, *GROUPS)  # compared, never hashed: forged types


async def private_chats_only(update: Update, context: Context) -> None:
    """Group -2: an update that is not its sender's own private chat stops here, stores nothing.

    A tap gets "this button isn't for you", a message in a group a short refusal (or, for
    /urgent, the warning signs), anything else nothing at all: a private-chat message whose
    sender is not the chat's owner can only be forged, and its chat is someone else's.
    """
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and user is not None and chat.type == Chat.PRIVATE and chat.id == user.id:
        return
    kind = chat.type if chat is not None and chat.type in KNOWN_CHATS else "other"
    log.info("refused an update from a %s chat", kind)  # a forged type could be any text
    await refuse(lambda: _refusal(update, context))


async def refuse(refusal: Callable[[], Awaitable[object] | None]) -> NoReturn:
    """Build and send a guard's refusal, then stop the update whether or not that worked."""
    try:
        reply = refusal()
        if reply is not None:
            await reply
    except Exception as exc:  # any failure: the stop below is what keeps the data in
        log.warning("a refusal could not be sent (%s)", type(exc).__name__)
    raise ApplicationHandlerStop


def _refusal(update: Update, context: Context) -> Awaitable[object] | None:
    content = services(context).content
    if update.callback_query is not None:
        return answer(update.callback_query, render_plain(content.ui.foreign_button))
    message = update.message
    if message is None or message.chat.type not in GROUPS:
        return None
    urgent = _command(message) == f"urgent@{context.bot.username}".lower()
    text = group_urgent(content) if urgent else content.ui.group_refusal
    # Sent even when the command it quotes is gone (an anti-spam bot deleted it).
    quote = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    return message.reply_text(text, reply_parameters=quote)


def _command(message: Message) -> str | None:
    """The command the message starts with, as "name@bot" in lower case; None if none."""
    first = message.entities[0] if message.entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    name, _, bot = (message.text or "")[1 : first.length].partition("@")
    return f"{name}@{bot or message.get_bot().username}".lower()


def group_urgent(content: Content) -> str:
    """/urgent in a group: the emergency signs and "call now"; the rest only in private."""
    signs = [content.redflags.see_doctor[r] for r in Reason if r.level is Level.EMERGENCY]
    return render(
        content.ui.group_urgent,
        number=content.redflags.unknown_number,
        signs=Html("\n".join(signs)),
    )
