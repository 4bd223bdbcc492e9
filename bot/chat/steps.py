"""Questions shared by enrolment and /settings: where you are, when you wake and sleep."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, time
from typing import TypeVar

from telegram import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update

from bot.chat.replies import Markup, send, user_id_of
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import country_names, zone_countries
from bot.domain.flows import EnrolFlow, Flow, SettingsFlow
from bot.domain.timeparse import format_time
from bot.domain.zones import place_country, suggest_zones, zone_label, zone_token
from bot.texts.content import Content, render
from bot.texts.formats import clock_time, zone_place
from bot.views.keyboards import Button, button, columns, keyboard

WAKE_CHOICES = tuple(
    time(h, m) for h, m in [(5, 30), (6, 0), (6, 30), (7, 0), (7, 30), (8, 0), (8, 30), (9, 0)]
)
BED_CHOICES = tuple(
    time(h, m)
    for h, m in [(21, 0), (21, 30), (22, 0), (22, 30), (23, 0), (23, 30), (0, 0), (0, 30)]
)
MAX_SUGGESTIONS = 5
SKIP_COUNTRY = "none"  # the country question's "skip" button

# The flows whose buttons carry (nonce, argument): enrolment's and /settings' questions.
AskingFlow = TypeVar("AskingFlow", EnrolFlow, SettingsFlow)
Value = TypeVar("Value")


@dataclass(frozen=True)
class ZoneAnswer:
    """What typed text means as a time zone: one zone, a few to choose from, or nothing.

    With one zone comes its country where the text makes it certain ("Hanoi" is Vietnam).
    """

    zone: str | None
    suggestions: tuple[str, ...] = ()
    country: str | None = None


def interpret_zone(text: str) -> ZoneAnswer:
    """An exact or only match is taken; several matches are offered as buttons."""
    found = suggest_zones(text, limit=MAX_SUGGESTIONS)
    if len(found) == 1:
        return ZoneAnswer(zone=found[0], country=place_country(text, found[0]))
    return ZoneAnswer(zone=None, suggestions=tuple(found))


async def ask(
    update: Update, context: Context, flow: AskingFlow, text: str, markup: Markup | None = None
) -> AskingFlow:
    """Send a flow's question and remember its message, so a typed answer retires its buttons
    (the router does that before the answer is handled)."""
    message = await send(update, context, text, markup)
    asked = flow.replaced(message_id=message.message_id)
    await services(context).store.set_flow(user_id_of(update), asked)
    return asked


def zone_prompt(content: Content) -> tuple[str, ReplyKeyboardMarkup]:
    """Ask for a city or zone, with a one-tap "share my location" keyboard."""
    share = KeyboardButton(content.ui.share_location_button, request_location=True)
    markup = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
    return content.ui.ask_zone, markup


def zone_choices(
    content: Content, query: str, zones: tuple[str, ...], action: Action, nonce: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Suggestion buttons for an ambiguous answer, or a friendly "not found"."""
    if not zones:
        return render(content.ui.zone_not_found, query=query), None
    rows = [[button(zone_label(z), action, nonce, zone_token(z))] for z in zones]
    return render(content.ui.zone_suggestions, query=query), keyboard(rows)


def zone_set_text(content: Content, zone: str, now_local: datetime) -> str:
    return render(
        content.ui.zone_set,
        zone=zone_place(zone, content.locale),
        local_time=clock_time(now_local.time(), content.locale),
    )


def country_question(
    content: Content, zone: str | None, action: Action, nonce: str, query: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask which country: a button for each country using the zone, and "skip"."""
    names = country_names()
    rows = [[button(names[c], action, nonce, c)] for c in zone_countries(zone) if c in names]
    rows.append([button(content.ui.country_skip_button, action, nonce, SKIP_COUNTRY)])
    if query is None:
        return content.ui.ask_country, keyboard(rows)
    return render(content.ui.country_not_found, query=query), keyboard(rows)


def country_answer_text(content: Content, country: str | None) -> str:
    """ "Country set: Vietnam", or what happens without one."""
    if country is None:
        return content.ui.country_skipped
    return render(content.ui.country_set, country=country_names().get(country, country))


def time_buttons(choices: tuple[time, ...], action: Action, nonce: str) -> list[list[Button]]:
    """Common times as buttons, four to a row; typed times work too."""
    return columns([button(format_time(t), action, nonce, t.strftime("%H%M")) for t in choices], 4)


def time_from_arg(arg: str) -> time | None:
    """A time from a button's HHMM argument, or None if it was tampered with."""
    if len(arg) != 4 or not arg.isdigit():
        return None
    hour, minute = int(arg[:2]), int(arg[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


@dataclass(frozen=True)
class CountryChoice:
    """A tapped country button: an ISO code, or None for "skip"."""

    code: str | None


def country_from_arg(arg: str) -> CountryChoice | None:
    """The country a button names, or None if it was tampered with."""
    if arg == SKIP_COUNTRY:
        return CountryChoice(None)
    return CountryChoice(arg) if arg in country_names() else None


def tapped(
    flow: Flow | None,
    model: type[AskingFlow],
    callback: Callback,
    steps: Collection[str],
    parse: Callable[[str], Value | None],
) -> tuple[AskingFlow, Value] | None:
    """The flow and the typed value of a flow button (nonce, argument), if it belongs to the
    current step and its argument means something.

    None means stale: another kind of flow, an older flow's nonce, a step already answered, or
    an argument that was tampered with.
    """
    if not isinstance(flow, model) or len(callback.args) != 2:
        return None
    nonce, arg = callback.args
    if nonce != flow.nonce or flow.step not in steps:
        return None
    value = parse(arg)
    return None if value is None else (flow, value)
