"""Enrolment: disclaimer and consent, then zone (and country), wake time, bedtime and onset.

The country is asked only when the place does not make it certain (ARCHITECTURE §3, §4).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.chat.escalation import see_doctor_text
from bot.chat.log_button import log_button
from bot.chat.menu_button import offer_diary
from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature, steps_of
from bot.chat.steps import (
    BED_CHOICES,
    WAKE_CHOICES,
    CountryChoice,
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
from bot.domain.country import city_country, country_of
from bot.domain.flows import EnrolFlow, EnrolStep
from bot.domain.localtime import local_now
from bot.domain.models import Profile, Reason, Status
from bot.domain.plan import PLAN_DAYS, start_date_for, times_are_valid
from bot.domain.redflags import MAX_DAYS_SINCE_ONSET
from bot.domain.timeparse import parse_time
from bot.domain.today import is_enrolled, today_of
from bot.domain.zones import (
    country_at,
    country_by_name,
    zone_for_location,
    zone_from_token,
)
from bot.storage.store import Also, VersionConflict
from bot.texts.content import Content, render, render_plain
from bot.texts.content_ui import OnsetOption
from bot.texts.formats import clock_time, long_date, zone_place
from bot.views.daily import morning_message
from bot.views.keyboards import Button, button, columns, keyboard, new_nonce
from scheduler.timing import MORNING_STEP, routine_of

# The outbox owner of the step sent at enrolment (a dispatcher's owner is "<shard>:<lease>").
_ENROLMENT = "enrolment"

_TIMES = (EnrolStep.WAKE, EnrolStep.BED)
Value = TypeVar("Value")


async def on_start(update: Update, context: Context) -> None:
    """Show the disclaimer to newcomers; offer to carry on or restart to the enrolled."""
    svc = services(context)
    profile = await svc.store.get_profile(user_id_of(update))
    if profile is None:
        consent = svc.content.consent
        rows = [
            [button(consent.consent_button, Action.CONSENT, "yes")],
            [button(consent.decline_button, Action.CONSENT, "no")],
        ]
        await send(update, context, consent.disclaimer, keyboard(rows))
    elif is_enrolled(profile) or profile.status is Status.STOPPED:
        text, row = _again_offer(svc.content, profile, svc.clock.now())
        await send(update, context, text, keyboard([row]))
        if is_enrolled(profile):
            await offer_diary(update, context)
    else:
        await _begin(update, context)


def _again_offer(content: Content, profile: Profile, now: datetime) -> tuple[str, list[Button]]:
    """What /start says to someone with a plan: carry on where it is, or start again; after
    the last day only starting again is left."""
    ui = content.ui
    go = button(ui.continue_button, Action.CARRY_ON)
    restart = button(ui.restart_button, Action.ENROL_AGAIN, "restart")
    if profile.status is Status.STOPPED:
        return ui.stopped_start, [go, restart]
    if (today_of(profile, now).day or 0) > PLAN_DAYS:
        return ui.finished_start, [restart]
    return ui.already_enrolled, [go, restart]


async def on_consent(update: Update, context: Context, callback: Callback) -> None:
    """Consent creates the profile; declining stores nothing at all."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    consent = svc.content.consent
    user_id = user_id_of(update)
    existing = await svc.store.get_profile(user_id)
    enrolled = existing is not None and existing.status is not Status.ONBOARDING
    if callback.args not in (("yes",), ("no",)) or enrolled:  # old: must not restart a plan
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    await answer(query)
    if callback.args == ("no",):
        await edit(query, consent.declined)
        return
    if existing is None:
        # The language they were answered in so far (their Telegram app's) becomes their own.
        profile = Profile(
            user_id=user_id,
            chat_id=user_id,
            consent_at=svc.clock.now(),
            locale=svc.content.locale,
        )
        try:
            await svc.store.save_profile(profile, expected_version=0)
        except VersionConflict:
            return  # a double tap: the first one is already enrolling
    await edit(query, consent.disclaimer)
    await _begin(update, context)


async def _begin(update: Update, context: Context) -> None:
    svc = services(context)
    flow = EnrolFlow(nonce=new_nonce())
    await svc.store.set_flow(user_id_of(update), flow)
    text, markup = zone_prompt(svc.content)
    await send(update, context, text, markup)


async def on_again(update: Update, context: Context, callback: Callback) -> None:
    """An enrolled person chose to set up the plan again from day 1 ("carry on" is the
    everyday commands' own button)."""
    query = update.callback_query
    assert query is not None
    if callback.args != ("restart",):  # an older "carry on" button ("en_again:go")
        await answer(query, render_plain(services(context).content.ui.stale_button))
        return
    await answer(query)
    await query.edit_message_reply_markup(None)  # the question stays as it was asked
    await _begin(update, context)


async def on_text(update: Update, context: Context, flow: EnrolFlow) -> None:
    """Typed answers: a place for the zone step, a country, a time for the wake and bed steps."""
    text = (update.message.text if update.message else None) or ""
    svc = services(context)
    if flow.step is EnrolStep.ZONE:
        found = interpret_zone(text)
        if found.zone is not None:
            await _accept_zone(update, context, flow, found.zone, found.country)
            return
        message, markup = zone_choices(
            svc.content, text[:64], found.suggestions, Action.ENROL_ZONE, flow.nonce
        )
        await ask(update, context, flow, message, markup)
    elif flow.step is EnrolStep.COUNTRY:
        await _typed_country(update, context, flow, text)
    elif flow.step in _TIMES:
        parsed = parse_time(text)
        if parsed is None:
            retry = render(svc.content.ui.invalid_time, text=text[:32])
            await ask(update, context, flow, retry, _time_keyboard(flow))
            return
        await _accept_time(update, context, flow, parsed)
    else:
        await _ask_onset(update, context, flow)


async def on_location(update: Update, context: Context, flow: EnrolFlow) -> None:
    """A shared location, looked up offline."""
    location = update.message.location if update.message else None
    zone = zone_for_location(location.latitude, location.longitude) if location else None
    if location is None or zone is None or flow.step is not EnrolStep.ZONE:
        await send(update, context, services(context).content.ui.zone_location_failed)
        return
    country = country_at(location.latitude, location.longitude, zone)
    await _accept_zone(update, context, flow, zone, country)


async def on_zone_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped zone suggestion."""

    async def then(flow: EnrolFlow, zone: str) -> bool:
        await _accept_zone(update, context, flow, zone, city_country(zone))  # names a city
        return True

    await _tapped(update, context, callback, (EnrolStep.ZONE,), zone_from_token, then)


async def on_country_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped country, or "skip"."""

    async def then(flow: EnrolFlow, country: CountryChoice) -> bool:
        await _accept_country(update, context, flow, country.code)
        return True

    await _tapped(update, context, callback, (EnrolStep.COUNTRY,), country_from_arg, then)


async def on_time_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped wake time or bedtime."""

    async def then(flow: EnrolFlow, chosen: time) -> bool:
        await _accept_time(update, context, flow, chosen)
        return True

    await _tapped(update, context, callback, _TIMES, time_from_arg, then)


async def on_onset_button(update: Update, context: Context, callback: Callback) -> None:
    """A tapped "when did it start" answer finishes enrolment."""
    options = services(context).content.ui.onset_options

    def option_of(arg: str) -> OnsetOption | None:
        return next((o for o in options if o.id == arg), None)

    async def then(flow: EnrolFlow, option: OnsetOption) -> bool:
        return await _finish(update, context, flow, option)

    await _tapped(update, context, callback, (EnrolStep.ONSET,), option_of, then)


async def _tapped(
    update: Update,
    context: Context,
    callback: Callback,
    steps: tuple[EnrolStep, ...],
    parse: Callable[[str], Value | None],
    then: Callable[[EnrolFlow, Value], Awaitable[bool]],
) -> None:
    """Check the tap belongs to the current enrolment step, then act on its typed argument."""
    query = update.callback_query
    assert query is not None
    ui = services(context).content.ui
    flow = await services(context).store.get_flow(user_id_of(update))
    found = tapped(flow, EnrolFlow, callback, steps, parse)
    if found is None or not await then(*found):
        await answer(query, render_plain(ui.stale_button))
        return
    await answer(query)
    await query.edit_message_reply_markup(None)


async def _typed_country(update: Update, context: Context, flow: EnrolFlow, text: str) -> None:
    country = country_by_name(text)
    if country is not None:
        await _accept_country(update, context, flow, country)
        return
    content = services(context).content
    message, markup = country_question(
        content, flow.zone, Action.ENROL_COUNTRY, flow.nonce, text[:64]
    )
    await ask(update, context, flow, message, markup)


def _time_keyboard(flow: EnrolFlow) -> InlineKeyboardMarkup:
    choices = WAKE_CHOICES if flow.step is EnrolStep.WAKE else BED_CHOICES
    return keyboard(time_buttons(choices, Action.ENROL_TIME, flow.nonce))


async def _accept_zone(
    update: Update, context: Context, flow: EnrolFlow, zone: str, country: str | None
) -> None:
    """Keep the zone; then the wake question, or first the country if it is not certain."""
    svc = services(context)
    step = EnrolStep.WAKE if country else EnrolStep.COUNTRY
    flow = flow.replaced(step=step, zone=zone, country=country)
    now_local = local_now(zone, svc.clock.now())
    await send(update, context, zone_set_text(svc.content, zone, now_local), ReplyKeyboardRemove())
    if country is None:
        text, markup = country_question(svc.content, zone, Action.ENROL_COUNTRY, flow.nonce)
        await ask(update, context, flow, text, markup)
        return
    await ask(update, context, flow, svc.content.ui.ask_wake, _time_keyboard(flow))


async def _accept_country(
    update: Update, context: Context, flow: EnrolFlow, country: str | None
) -> None:
    svc = services(context)
    flow = flow.replaced(step=EnrolStep.WAKE, country=country)
    await send(update, context, country_answer_text(svc.content, country))
    await ask(update, context, flow, svc.content.ui.ask_wake, _time_keyboard(flow))


async def _accept_time(update: Update, context: Context, flow: EnrolFlow, chosen: time) -> None:
    ui = services(context).content.ui
    if flow.step is EnrolStep.WAKE:
        flow = flow.replaced(step=EnrolStep.BED, wake_time=chosen)
        await ask(update, context, flow, ui.ask_bedtime, _time_keyboard(flow))
        return
    if flow.wake_time is None or not times_are_valid(flow.wake_time, chosen):
        await ask(update, context, flow, ui.times_too_close, _time_keyboard(flow))
        return
    await _ask_onset(update, context, flow.replaced(step=EnrolStep.ONSET, bedtime=chosen))


async def _ask_onset(update: Update, context: Context, flow: EnrolFlow) -> None:
    ui = services(context).content.ui
    buttons = [button(o.label, Action.ENROL_ONSET, flow.nonce, o.id) for o in ui.onset_options]
    await ask(update, context, flow, ui.ask_onset, keyboard(columns(buttons, 2)))


async def _finish(update: Update, context: Context, flow: EnrolFlow, option: OnsetOption) -> bool:
    svc = services(context)
    zone, wake, bed = flow.zone, flow.wake_time, flow.bedtime
    if zone is None or wake is None or bed is None:
        return False
    now_local = local_now(zone, svc.clock.now())
    start = start_date_for(now_local)
    advice = _advice_at_enrolment(option.days_ago)

    def enrolled(profile: Profile) -> Profile:
        advised = tuple(dict.fromkeys((*profile.advised_reasons, *advice)))
        return profile.model_copy(
            update={
                "zone": zone,
                "country": flow.country,
                "wake_time": wake,
                "bedtime": bed,
                "start_date": start,
                "onset_date": now_local.date() - timedelta(days=option.days_ago),
                "status": Status.ACTIVE,
                "pauses": (),
                "emergency_hold": False,
                "advised_reasons": advised,
            }
        )

    saved = await svc.store.update_profile(user_id_of(update), enrolled, also=Also(clear_flow=True))
    await _confirm(update, context, saved, now_local.date(), advice)
    return True


def _advice_at_enrolment(days_ago: int) -> tuple[Reason, ...]:
    """Twitching for more than 2 weeks already: see a doctor, and run the plan as well."""
    return (Reason.LASTING_OVER_TWO_WEEKS,) if days_ago > MAX_DAYS_SINCE_ONSET else ()


async def _confirm(
    update: Update, context: Context, profile: Profile, today: date, advice: tuple[Reason, ...]
) -> None:
    """The plan summary, any see-a-doctor advice, and the first step at once if day 1 is today."""
    content = services(context).content.local(country_of(profile))
    ui = content.ui
    routine = routine_of(profile)
    assert routine is not None  # just enrolled: active, with a zone, times and a start date
    starts_today = routine.start == today
    summary = render(
        ui.enrolled_summary,
        zone=zone_place(routine.zone, content.locale),
        wake=clock_time(routine.wake, content.locale),
        bedtime=clock_time(routine.bed, content.locale),
        start_date=long_date(routine.start, content.locale),
        first_day_note=ui.starts_today if starts_today else ui.starts_tomorrow,
    )
    # The "⚡ Twitching now" button comes with the summary, the one message without buttons.
    await send(update, context, summary, log_button(content, profile, update.effective_chat))
    await offer_diary(update, context)
    if advice:
        await send(update, context, see_doctor_text(content, advice))
    if starts_today:
        await _first_step(update, context, content, profile.user_id, today)


async def _first_step(
    update: Update, context: Context, content: Content, user_id: int, today: date
) -> None:
    """Day 1's morning message at once (the step with the sleep question under it), under the
    outbox marker of that morning's message: the morning send then does not repeat it, and if
    the morning send got there first it is not sent here again."""
    svc = services(context)
    if not await svc.store.claim_send(user_id, MORNING_STEP, today, owner=_ENROLMENT):
        return
    text, markup = morning_message(content, 1, today)
    await send(update, context, text, markup)
    await svc.store.settle_send(user_id, MORNING_STEP, today, "sent")


FEATURE = Feature(
    name=__name__,
    commands={"start": on_start},
    callbacks={
        Action.CONSENT: on_consent,
        Action.ENROL_AGAIN: on_again,
        Action.ENROL_ZONE: on_zone_button,
        Action.ENROL_COUNTRY: on_country_button,
        Action.ENROL_TIME: on_time_button,
        Action.ENROL_ONSET: on_onset_button,
    },
    text_steps=steps_of(EnrolFlow, on_text),
    location_steps=steps_of(EnrolFlow, on_location),
)
