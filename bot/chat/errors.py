"""The one place unexpected failures end up: logged without user text, answered kindly."""

from __future__ import annotations

import logging
import traceback

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.core.context import Context, services
from bot.storage.client import drop_idle_connections
from bot.storage.store import ProfileNotFound
from bot.texts.telegram_html import visible_text

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


async def on_error(update: object, context: Context) -> None:
    """Log the whole traceback (never an exception's message, which may quote the person; the
    log handlers redact secrets), then tell the person something went wrong, without one."""
    error = context.error
    if error is None:
        return
    log.error("update failed with %s\n%s", type(error).__name__, _traceback_without_messages(error))
    if isinstance(error, REDIS_DOWN):
        await _drop_idle_connections(context)
    if not isinstance(update, Update):
        return
    try:
        await _tell(update, context, _text_for(error, context))
    except TelegramError as exc:
        log.warning("could not tell the person about the failure: %s", type(exc).__name__)


def _traceback_without_messages(error: BaseException) -> str:
    """Every frame of the error and of the exceptions that led to it, oldest first, as Python
    prints them, with each exception's type in place of its message."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        cause = current.__cause__
        current = (
            cause if cause is not None or current.__suppress_context__ else current.__context__
        )
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(exc.__traceback__))
        + f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)\n"
        for exc in reversed(chain)
    ]
    return "\nwhich led to\n\n".join(parts)


def _text_for(error: Exception, context: Context) -> str:
    ui = services(context).content.ui
    if isinstance(error, REDIS_DOWN):
        return ui.unavailable
    if isinstance(error, ProfileNotFound):
        # Their data was deleted while this update was in flight (/delete on another replica):
        # the write was refused, and the truth is that there is no plan any more.
        return ui.not_enrolled
    return ui.error_generic


async def _drop_idle_connections(context: Context) -> None:
    """After Redis restarted, every pooled connection is dead, and each would fail one more
    update before the pool noticed; dropping the idle ones now makes the next update work.
    Connections in use by other updates are left alone."""
    try:
        await drop_idle_connections(services(context).store.redis)
    except (OSError, *REDIS_DOWN) as exc:
        log.warning("could not drop idle Redis connections: %s", type(exc).__name__)


async def _tell(update: Update, context: Context, text: str) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(_first_line(text), show_alert=True)
            return
        except BadRequest:
            # The handler had already answered the tap (stopping the spinner) before it
            # failed: a second answer is refused, so say it in the chat instead.
            pass
    chat = update.effective_chat
    if chat is not None and chat.type == chat.PRIVATE:
        await context.bot.send_message(chat.id, text)


def _first_line(text: str) -> str:
    """Alerts are plain text of at most 200 characters."""
    return visible_text(text).splitlines()[0][:200]
