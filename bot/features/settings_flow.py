"""/settings: change time zone, country, wake time or bedtime, asking enrolment's questions.

The menu and each question are one SettingsFlow in Redis: step MENU while the menu is shown,
then ZONE, COUNTRY, WAKE or BED. Every button carries the flow's nonce, and a
saved change replaces the flow with a fresh menu in the same write, so older buttons are
recognised as stale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from enum import StrEnum

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.chat.log_button import log_button
from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature, steps_of
from bot.chat.steps import (
    BED_CHOICES,
    WAKE_CHOICES,
    ask,
    country_answer_text,
    country_from_arg,
    country_question,
    interpret_zone,
    tapped,
    time_buttons,
    time_from_arg,
    zone_choices,
    zone_prompt,
    zone_set_text,
)
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import city_country, country_after_move, country_names, country_of
from bot.domain.flows import SettingsFlow, SettingsStep
from bot.domain.localtime import local_now
from bot.domain.models import Profile
from bot.domain.plan import times_are_valid
from bot.domain.timeparse import parse_time
from bot.domain.today import is_enrolled
from bot.domain.zones import (
    country_at,
    country_by_name,
    zone_for_location,
    zone_from_token,
)
from bot.storage.store import Also, ProfileNotFound
from bot.texts.content import Content, render, render_plain
from bot.texts.formats import clock_time, zone_place
from bot.views.daily import standing
from bot.views.keyboards import button, keyboard, new_nonce

_TIMES = (SettingsStep.WAKE, SettingsStep.BED)


class Choice(StrEnum):
    """The menu's buttons: a question to ask, or done."""

    ZONE = SettingsStep.ZONE.value
    COUNTRY = SettingsStep.COUNTRY.value
    WAKE = SettingsStep.WAKE.value
    BED = SettingsStep.BED.value
    DONE = "done"


def _choice(arg: str) -> Choice | None:
    try:
        return Choice(arg)
    except ValueError:
        return None


class _TooClose(Exception):
    """The new wake time or bedtime leaves no room for the evening reminder."""


# --- the menu ----------------------------------------------------------------------------------


async def on_settings(update: Update, context: Context) -> None:
    """/settings: the current settings and what can be changed."""
    svc = services(context)
    profile = await svc.store.get_profile(user_id_of(update))
    if profile is None or not _complete(profile):
        await send(update, context, standing(svc.content, profile) or svc.content.ui.not_enrolled)
        return
    flow = _menu_flow()
    await svc.store.set_flow(user_id_of(update), flow)
    text, markup = _menu(svc.content, profile, flow.nonce)
    await send(update, context, text, markup)


def _complete(profile: Profile) -> bool:
    """Enrolled, with every setting the menu shows."""
    known = (profile.zone, profile.wake_time, profile.bedtime)
    return is_enrolled(profile) and all(value is not None for value in known)


def _menu_flow() -> SettingsFlow:
    return SettingsFlow(nonce=new_nonce())


def _menu(content: Content, profile: Profile, nonce: str) -> tuple[str, InlineKeyboardMarkup]:
    ui = content.ui
    country = country_of(profile)
    text = render(
        ui.settings_menu,
        zone=zone_place(profile.zone or "UTC", content.locale),
        wake=clock_time(profile.wake_time or time(), content.locale),
        bedtime=clock_time(profile.bedtime or time(), content.locale),
        country=country_names().get(country, country) if country else ui.country_not_set,
    )
    rows = [
        [
            button(ui.settings_zone_button, Action.SETTINGS_MENU, nonce, Choice.ZONE),
            button(ui.settings_country_button, Action.SETTINGS_MENU, nonce, Choice.COUNTRY),
        ],
        [
            button(ui.settings_wake_button, Action.SETTINGS_MENU, nonce, Choice.WAKE),
            button(ui.settings_bedtime_button, Action.SETTINGS_MENU, nonce, Choice.BED),
        ],
        [button(ui.settings_done_button, Action.SETTINGS_MENU, nonce, Choice.DONE)],
    ]
    return text, keyboard(rows)


async def on_menu_button(update: Update, context: Context, callback: Callback) -> None:
    """A menu choice: ask its question (the menu turns into it), or close the menu."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    user_id = user_id_of(update)
    found = tapped(
        await svc.store.get_flow(user_id), SettingsFlow, callback, (SettingsStep.MENU,), _choice
    )
    if found is None:
        await answer(query, render_plain(ui.stale_button))
        return
    await answer(query)
    menu, choice = found
    if choice is Choice.DONE:
        await svc.store.clear_flow(user_id)
        await edit(query, ui.settings_closed)
        return
    flow = menu.replaced(step=SettingsStep(choice.value))
    if flow.step is SettingsStep.ZONE:
        await svc.store.set_flow(user_id, flow)
        # The "share my location" keyboard can only come with a new message.
        await query.edit_message_reply_markup(None)
        text, markup = zone_prompt(svc.content)
        await send(update, context, text, markup)
        return
    if flow.step is SettingsStep.COUNTRY:
        asked_in = await edit(query, *await _country_prompt(update, context, flow))
    else:
        question = ui.ask_wake if flow.step is SettingsStep.WAKE else ui.ask_bedtime
        asked_in = await edit(query, question, _time_keyboard(flow))
    # Remembered, so that a typed answer takes these buttons away.
    await svc.store.set_flow(user_id, flow.replaced(message_id=asked_in))


def _time_keyboard(flow: SettingsFlow) -> InlineKeyboardMarkup:
    choices = WAKE_CHOICES if flow.step is SettingsStep.WAKE else BED_CHOICES
    return keyboard(time_buttons(choices, Action.SETTINGS_TIME, flow.nonce))


# --- answers: typed, tapped or shared ----------------------------------------------------------


async def on_text(update: Update, context: Context, flow: SettingsFlow) -> None:
    """Typed answers: a place while asking for the zone, a time while asking for one."""
    text = (update.message.text if update.message else None) or ""
    content = services(context).content
    if flow.step is SettingsStep.ZONE:
        found = interpret_zone(text)
        if found.zone is not None:
            await _save_zone(update, context, found.zone, found.country)
            return
        message, markup = zone_choices(
            content, text[:64], found.suggestions, Action.SETTINGS_ZONE, flow.nonce
        )
        await ask(update, context, flow, message, markup)
    elif flow.step is SettingsStep.COUNTRY:
        await _typed_country(update, context, flow, text)
    elif flow.step in _TIMES:
        parsed = parse_time(text)
        if parsed is None:
            retry = render(content.ui.invalid_time, text=text[:32])
            await ask(update, context, flow, retry, _time_keyboard(flow))
            return
        await _save_time(update, context, flow, parsed)
    else:
        await send(update, context, content.ui.unknown_text)  # the menu wants taps


async def on_location(update: Update, context: Context, flow: SettingsFlow) -> None:
    """A shared location while asking for the zone, looked up offline."""
    ui = services(context).content.ui
    if flow.step is not SettingsStep.ZONE:
        await send(update, context, ui.unknown_text)
        return
    location = update.message.location if update.message else None
    zone = zone_for_location(location.latitude, location.longitude) if location else None
    if location is None or zone is None:
        await send(update, context, ui.zone_location_failed)
        return
    await _save_zone(update, context, zone, country_at(location.latitude, location.longitude, zone))


async def on_zone_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped zone suggestion."""
    query = update.callback_query
    assert query is not None
    flow = await services(context).store.get_flow(user_id_of(update))
    found = tapped(flow, SettingsFlow, callback, (SettingsStep.ZONE,), zone_from_token)
    if found is None:
        await answer(query, render_plain(services(context).content.ui.stale_button))
        return
    await answer(query)
    await query.edit_message_reply_markup(None)
    zone = found[1]
    await _save_zone(update, context, zone, city_country(zone))  # the button names a city


async def on_country_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped country, or "skip" (no country: the general emergency line)."""
    query = update.callback_query
    assert query is not None
    flow = await services(context).store.get_flow(user_id_of(update))
    found = tapped(flow, SettingsFlow, callback, (SettingsStep.COUNTRY,), country_from_arg)
    if found is None:
        await answer(query, render_plain(services(context).content.ui.stale_button))
        return
    await answer(query)
    await query.edit_message_reply_markup(None)
    await _save_country(update, context, found[1].code)


async def _typed_country(update: Update, context: Context, flow: SettingsFlow, text: str) -> None:
    country = country_by_name(text)
    if country is not None:
        await _save_country(update, context, country)
        return
    await ask(update, context, flow, *await _country_prompt(update, context, flow, text[:64]))


async def _country_prompt(
    update: Update, context: Context, flow: SettingsFlow, query: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The country question, with a button for each country using the person's zone."""
    svc = services(context)
    profile = await svc.store.get_profile(user_id_of(update))
    zone = profile.zone if profile else None
    return country_question(svc.content, zone, Action.SETTINGS_COUNTRY, flow.nonce, query)


async def on_time_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped wake time or bedtime."""
    query = update.callback_query
    assert query is not None
    flow = await services(context).store.get_flow(user_id_of(update))
    found = tapped(flow, SettingsFlow, callback, _TIMES, time_from_arg)
    if found is None:
        await answer(query, render_plain(services(context).content.ui.stale_button))
        return
    await answer(query)
    await query.edit_message_reply_markup(None)
    await _save_time(update, context, *found)


# --- saving ------------------------------------------------------------------------------------


async def _save_zone(update: Update, context: Context, zone: str, country: str | None) -> None:
    """Save the zone with the country the place gave, else the old one if the zone fits it."""
    svc = services(context)

    def change(profile: Profile) -> Profile:
        return _with(profile, zone=zone, country=country_after_move(zone, country, profile.country))

    saved = await _save(update, context, change)
    if saved is None:
        return
    now_local = local_now(zone, svc.clock.now())
    # Also replaces the "share my location" keyboard, with the log button while on the plan.
    keys = log_button(svc.content, saved[0], update.effective_chat) or ReplyKeyboardRemove()
    await send(update, context, zone_set_text(svc.content, zone, now_local), keys)
    if country_of(saved[0]) is None:  # not certain: ask, in place of the menu
        flow = saved[1].replaced(step=SettingsStep.COUNTRY)
        await svc.store.set_flow(user_id_of(update), flow)
        text, markup = country_question(svc.content, zone, Action.SETTINGS_COUNTRY, flow.nonce)
        await send(update, context, text, markup)
        return
    await _say_saved(update, context, saved)


async def _save_country(update: Update, context: Context, country: str | None) -> None:
    saved = await _save(update, context, lambda profile: _with(profile, country=country))
    if saved is not None:
        await send(update, context, country_answer_text(services(context).content, country))
        await _say_saved(update, context, saved)


async def _save_time(update: Update, context: Context, flow: SettingsFlow, chosen: time) -> None:
    ui = services(context).content.ui
    field = "wake_time" if flow.step is SettingsStep.WAKE else "bedtime"

    def change(profile: Profile) -> Profile:
        changed = _with(profile, **{field: chosen})
        if not times_are_valid(changed.wake_time or time(), changed.bedtime or time()):
            raise _TooClose
        return changed

    try:
        saved = await _save(update, context, change)
    except _TooClose:
        retry = ui.wake_too_close if flow.step is SettingsStep.WAKE else ui.times_too_close
        await ask(update, context, flow, retry, _time_keyboard(flow))
        return
    if saved is not None:
        await _say_saved(update, context, saved)


def _with(profile: Profile, **changes: object) -> Profile:
    return profile.model_copy(update=changes)


async def _save(
    update: Update, context: Context, change: Callable[[Profile], Profile]
) -> tuple[Profile, SettingsFlow] | None:
    """Compare-and-set the change; the question's flow becomes a fresh menu in the same write."""
    svc = services(context)
    menu = _menu_flow()
    try:
        profile = await svc.store.update_profile(user_id_of(update), change, also=Also(flow=menu))
    except ProfileNotFound:
        await svc.store.clear_flow(user_id_of(update))
        await send(update, context, svc.content.ui.not_enrolled)
        return None
    return profile, menu


async def _say_saved(update: Update, context: Context, saved: tuple[Profile, SettingsFlow]) -> None:
    content = services(context).content
    profile, menu = saved
    text, markup = _menu(content, profile, menu.nonce)
    await send(update, context, f"{content.ui.settings_updated}\n\n{text}", markup)


FEATURE = Feature(
    name=__name__,
    commands={"settings": on_settings},
    callbacks={
        Action.SETTINGS_MENU: on_menu_button,
        Action.SETTINGS_ZONE: on_zone_button,
        Action.SETTINGS_COUNTRY: on_country_button,
        Action.SETTINGS_TIME: on_time_button,
    },
    text_steps=steps_of(SettingsFlow, on_text),
    location_steps=steps_of(SettingsFlow, on_location),
)
