"""Help and the FAQ as buttons."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from bot.chat.replies import answer, edit, send
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.views.keyboards import button, keyboard


async def on_help(update: Update, context: Context) -> None:
    """/help: what the bot does and every command."""
    ui = services(context).content.ui
    rows = [
        [button(ui.faq_button, Action.FAQ, "list")],
        [button(ui.urgent_button, Action.URGENT_OPEN)],
    ]
    await send(update, context, ui.help, keyboard(rows))


async def on_faq(update: Update, context: Context) -> None:
    """/faq: the common questions as buttons."""
    text, markup = _faq_list(context)
    await send(update, context, text, markup)


async def on_faq_button(update: Update, context: Context, callback: Callback) -> None:
    """Show one answer in place, with a way back to the list."""
    query = update.callback_query
    assert query is not None
    content = services(context).content
    item_id = callback.args[0] if callback.args else "list"
    item = next((i for i in content.faq.items if i.id == item_id), None)
    await answer(query)
    if item is None:
        text, markup = _faq_list(context)
        await edit(query, text, markup)
        return
    back = keyboard([[button(content.ui.back_button, Action.FAQ, "list")]])
    await edit(query, f"<b>{html.escape(item.question)}</b>\n\n{item.answer}", back)


def _faq_list(context: Context) -> tuple[str, InlineKeyboardMarkup]:
    content = services(context).content
    rows = [[button(item.question, Action.FAQ, item.id)] for item in content.faq.items]
    return content.ui.faq_intro, keyboard(rows)


FEATURE = Feature(
    name=__name__,
    commands={"help": on_help, "faq": on_faq},
    callbacks={Action.FAQ: on_faq_button},
)
