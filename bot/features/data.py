"""The person's data rights: /export sends a copy of everything stored, /delete erases it."""

from __future__ import annotations

from telegram import Update

from bot.chat.erase import erase_person
from bot.chat.export import has_data, send_export
from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.storage.store import CorruptProfileError, Store
from bot.texts.content import render_plain
from bot.views.keyboards import button, keyboard

YES, NO = "yes", "no"


async def on_export(update: Update, context: Context) -> None:
    """/export: a JSON file with everything stored, a CSV of check-ins, and the doctor's PDF."""
    user_id = await _person_with_data(update, context)
    if user_id is None:
        return
    chat_id = update.effective_chat.id if update.effective_chat else user_id
    await send_export(context, chat_id, user_id)


async def _person_with_data(update: Update, context: Context) -> int | None:
    """The person's id when anything is stored about them; otherwise say there is nothing."""
    svc = services(context)
    user_id = user_id_of(update)
    if await has_data(svc.store, user_id):
        return user_id
    await send(update, context, svc.content.ui.export_empty)
    return None


async def on_delete(update: Update, context: Context) -> None:
    """/delete: ask first; the buttons only work for the data as it is now."""
    user_id = await _person_with_data(update, context)
    if user_id is None:
        return
    svc = services(context)
    ui = svc.content.ui
    token = await _data_token(svc.store, user_id)
    rows = [
        [button(ui.delete_yes, Action.DELETE, token, YES)],
        [button(ui.delete_no, Action.DELETE, token, NO)],
    ]
    await send(update, context, ui.delete_confirm, keyboard(rows))


async def on_delete_button(update: Update, context: Context, callback: Callback) -> None:
    """Yes erases every key of the person; no changes nothing. Stale buttons get a notice."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    if len(callback.args) != 2 or callback.args[1] not in (YES, NO):
        await answer(query, render_plain(ui.stale_button))
        return
    token, choice = callback.args
    if choice == NO:
        await answer(query)
        await edit(query, ui.delete_cancelled)
        return
    user_id = user_id_of(update)
    # A confirmation shown before the data was deleted (or re-created by a new /start) must not
    # erase what exists now: the person never confirmed that.
    if not await has_data(svc.store, user_id) or token != await _data_token(svc.store, user_id):
        await answer(query, render_plain(ui.stale_button))
        return
    chat_id = update.effective_chat.id if update.effective_chat else user_id
    await erase_person(context, user_id, chat_id, query)


async def _data_token(store: Store, user_id: int) -> str:
    """Names this incarnation of the person's data: it changes when they delete and re-enrol."""
    try:
        profile = await store.get_profile(user_id)
    except CorruptProfileError:
        return "unreadable"  # deleting must still work when the profile cannot be read
    if profile is None:
        return "none"
    return str(int(profile.consent_at.timestamp()))


FEATURE = Feature(
    name=__name__,
    commands={"export": on_export, "delete": on_delete},
    callbacks={Action.DELETE: on_delete_button},
)
