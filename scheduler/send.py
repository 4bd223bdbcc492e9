"""One scheduled sendMessage call through python-telegram-bot's public request layer.

A scheduled send only needs to know whether Telegram took the message, never the `Message` it
returns; building that object (``Bot.send_message``) cost more CPU than the HTTP call itself. So
the dispatcher posts through ``ExtBot.do_api_request`` with no ``return_type``: the same rate
limiter (``rate_limit_args``), the same HTTP client and the same error mapping (``Forbidden``,
``RetryAfter``, ``BadRequest``, ``ChatMigrated``, ``TimedOut``, ``NetworkError``) as
``send_message``, and the reply stays a plain dict that is dropped.

It goes through its own ``ExtBot`` (``scheduled_bot``): the app's token, defaults and rate
limiter, over ``H11Request`` (scheduler.transport) instead of httpx, whose pool cost more CPU
than everything else a send does. Interactive replies keep PTB's default HTTPXRequest.

``do_api_request`` does not apply the bot's ``Defaults`` (documented), so parse mode and link
previews are copied from them here. The method is named in lower case: Telegram's method names
are case-insensitive, and ``do_api_request`` warns when given the name of a method ``Bot`` wraps
(it nudges callers toward the typed method, whose parsed result is what we avoid on purpose).
"""

from __future__ import annotations

from typing import Any, Final

from telegram.ext import ExtBot

from scheduler.ratelimit import Priority
from scheduler.render import Outgoing
from scheduler.transport import H11Request, Timeouts

SEND_METHOD: Final = "sendmessage"


def scheduled_bot(bot: ExtBot[Any], *, pool_size: int) -> ExtBot[Any]:
    """A bot for scheduled sends: `bot`'s token, API URL, defaults, rate limiter and read
    timeout, over H11Request with at most `pool_size` connections."""
    request = H11Request(pool_size=pool_size, timeouts=Timeouts(read=bot.request.read_timeout))
    api_url = bot.base_url  # already holds the token
    return ExtBot(
        bot.token,
        base_url=lambda _token: api_url,
        request=request,
        get_updates_request=request,  # never polls; PTB would otherwise build an httpx client
        defaults=bot.defaults,
        rate_limiter=bot.rate_limiter,
    )


def message_kwargs(
    bot: ExtBot[Any], chat_id: int, message: Outgoing, *, paid: bool
) -> dict[str, Any]:
    """The sendMessage parameters of one scheduled message, with the bot's defaults applied."""
    kwargs: dict[str, Any] = {"chat_id": chat_id, "text": message.text}
    if message.markup is not None:
        kwargs["reply_markup"] = message.markup
    defaults = bot.defaults
    if defaults is not None:
        if defaults.parse_mode is not None:
            kwargs["parse_mode"] = defaults.parse_mode
        if defaults.link_preview_options is not None:
            kwargs["link_preview_options"] = defaults.link_preview_options
    if paid:
        kwargs["allow_paid_broadcast"] = True
    return kwargs


async def post_message(bot: ExtBot[Any], chat_id: int, message: Outgoing, *, paid: bool) -> None:
    """Send one scheduled message; raises what ``send_message`` would raise."""
    priority = Priority.PAID if paid else Priority.BULK
    await bot.do_api_request(
        SEND_METHOD,
        api_kwargs=message_kwargs(bot, chat_id, message, paid=paid),
        rate_limit_args=priority,
    )
