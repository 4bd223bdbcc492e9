"""/language: the person picks the language the bot speaks to them (issue 17).

The choice is stored in the profile and takes effect at once: this reply, the next scheduled
message and every later update use it (ARCHITECTURE §10).
"""

from __future__ import annotations

from telegram import Update

from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature
from bot.chat.steps import zone_prompt
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.flows import EnrolFlow, EnrolStep, Flow, SettingsFlow, SettingsStep
from bot.storage.store import ProfileNotFound
from bot.texts.content import Content, render_plain
from bot.texts.languages import LANGUAGE_NAMES, language_name
from bot.views.keyboards import button, keyboard


async def on_language(update: Update, context: Context) -> None:
    """/language: a button for each language the bot speaks, each in its own language."""
    content = services(context).content
    rows = [
        [button(language_name(locale), Action.LANGUAGE, locale)]
        for locale in sorted(content.locales, key=_menu_order)
    ]
    await send(update, context, content.ui.language_prompt, keyboard(rows))


def _menu_order(locale: str) -> tuple[int, str]:
    order = list(LANGUAGE_NAMES)
    return (order.index(locale) if locale in order else len(order), locale)


async def on_choice(update: Update, context: Context, callback: Callback) -> None:
    """A language button: store it, and answer (and re-ask an open question) in it."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    chosen = callback.args[0] if len(callback.args) == 1 else ""
    if chosen not in svc.content.locales:
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    content = svc.content.in_locale(chosen)
    try:
        await svc.store.update_profile(
            user_id_of(update), lambda p: p.model_copy(update={"locale": chosen})
        )
    except ProfileNotFound:  # nothing is stored before consent: they choose by /start's language
        await answer(query)
        await edit(query, content.ui.not_enrolled)
        return
    context.locale = chosen  # anything else this update says is in the new language too
    await answer(query)
    await edit(query, content.ui.language_set)
    if _awaits_a_place(await svc.store.get_flow(user_id_of(update))):
        await _ask_place_again(update, context, content)


def _awaits_a_place(flow: Flow | None) -> bool:
    """Whether the open question shows the reply keyboard ("share my location")."""
    if isinstance(flow, EnrolFlow):
        return flow.step is EnrolStep.ZONE
    return isinstance(flow, SettingsFlow) and flow.step is SettingsStep.ZONE


async def _ask_place_again(update: Update, context: Context, content: Content) -> None:
    text, markup = zone_prompt(content)
    await send(update, context, text, markup)


FEATURE = Feature(
    name=__name__,
    commands={"language": on_language},
    callbacks={Action.LANGUAGE: on_choice},
)
