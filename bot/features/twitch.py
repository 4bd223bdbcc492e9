"""Logging an episode the moment it happens: "⚡ Twitching now" (a reply-keyboard button) or
/twitch. One tap stores the time; the short confirmation is then edited in place by the two
optional taps, "what came just before?" and "where, if not the usual place?" (ARCHITECTURE §6).

The episode is written only while the person is on the plan, checked inside Redis, so a tap
racing /delete brings nothing back; past EPISODES_PER_DAY_CAP a day, the tap is answered kindly
and not stored. A place other than the usual one goes through the red-flag checker like a
check-in's answer (ARCHITECTURE §4).
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.chat.escalation import escalate, mark_advised
from bot.chat.locale import profile_read_at_start
from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.episodes import EPISODES_PER_DAY_CAP, Before, Episode, day_start
from bot.domain.flows import CheckinStep
from bot.domain.localtime import local_now
from bot.domain.models import CheckInRecord, Profile, TwitchLocation
from bot.domain.timeparse import format_time
from bot.domain.today import today_of
from bot.domain.triage import assess_person, triage
from bot.storage.store import EpisodeCapReached, ProfileNotFound
from bot.texts.content import Content, Question, render, render_plain
from bot.views.daily import standing
from bot.views.keyboards import button, columns, keyboard

# An episode's buttons carry its index in the person's log and its unix second.
_ARGS = 3


async def on_twitch(update: Update, context: Context) -> None:
    """ "⚡ Twitching now" or /twitch: store the moment, then ask what came just before."""
    svc = services(context)
    user_id = user_id_of(update)
    # The episode's Lua write checks the plan's status again in Redis (store.log_episode).
    profile = await profile_read_at_start(context, user_id)
    refusal = standing(svc.content, profile)
    if refusal is not None or profile is None:
        # Not on the plan (a keyboard left from before /stop, say): say so, and take it away.
        await send(update, context, refusal or svc.content.ui.not_enrolled, ReplyKeyboardRemove())
        return
    now = svc.clock.now()
    episode = Episode(at=now)
    since = day_start(profile.zone or "UTC", today_of(profile, now).local_date, profile.wake_time)
    try:
        index = await svc.store.log_episode(user_id, episode, since, EPISODES_PER_DAY_CAP)
    except ProfileNotFound:  # deleted or stopped a moment ago
        await send(update, context, svc.content.ui.not_enrolled, ReplyKeyboardRemove())
        return
    except EpisodeCapReached:
        await send(
            update, context, render(svc.content.twitch.cap_reached, cap=EPISODES_PER_DAY_CAP)
        )
        return
    await send(update, context, *_view(svc.content, profile, index, episode))


def _view(
    content: Content, profile: Profile, index: int, episode: Episode, usual: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The confirmation as it stands: the time, then the next optional question, if any."""
    words = content.twitch
    at = format_time(local_now(profile.zone or "UTC", episode.at).time())
    lines = [render(words.logged, time=at)]
    args = (str(index), str(int(episode.at.timestamp())))
    if episode.before is not None:
        before = getattr(words.before_words, episode.before.value)
        lines.append(render(words.before_line, before=before))
    if episode.where is not None:
        lines.append(render(words.where_line, where=_place_label(content, episode.where)))
    if episode.before is None:
        buttons = [
            button(getattr(words.before_buttons, b.value), Action.TWITCH_BEFORE, *args, b.value)
            for b in Before
        ]
        return "\n".join(lines) + f"\n\n{words.ask_before}", keyboard(columns(buttons, 2))
    if episode.where is None:
        buttons = [
            button(a.label, Action.TWITCH_WHERE, *args, a.id)
            for a in _places(content).answers
            if a.label != usual
        ]
        ask = render(words.ask_where, usual=usual)
        return "\n".join(lines) + f"\n\n{ask}", keyboard(columns(buttons, 2))
    return "\n".join(lines) + f"\n\n{words.done}", None


def _places(content: Content) -> Question:
    """The check-in's "where?" question: the same places, in the same words."""
    question = content.checkin.step(CheckinStep.WHERE)
    assert isinstance(question, Question)  # content validation guarantees it
    return question


def _place_label(content: Content, where: TwitchLocation) -> str:
    return next(a.label for a in _places(content).answers if a.value == where.value)


async def on_before(update: Update, context: Context, callback: Callback) -> None:
    """What came just before: kept, and the message now asks where (optional)."""
    choice = callback.args[-1] if len(callback.args) == _ARGS else ""
    before = Before(choice) if choice in tuple(Before) else None
    await _describe(update, context, callback, {"before": before} if before else None)


async def on_where(update: Update, context: Context, callback: Callback) -> None:
    """Where, if not the usual place: kept, and checked for warning signs like a check-in."""
    question = _places(services(context).content)
    choice = callback.args[-1] if len(callback.args) == _ARGS else ""
    found = next((a.value for a in question.answers if a.id == choice), None)
    where = (
        TwitchLocation(found) if isinstance(found, str) and found in tuple(TwitchLocation) else None
    )
    described = await _describe(update, context, callback, {"where": where} if where else None)
    if described is not None:
        await _check(update, context)


async def _describe(
    update: Update, context: Context, callback: Callback, change: dict[str, object] | None
) -> Episode | None:
    """Apply `change` to the episode the button belongs to and show the next step; a stale or
    forged button (or a deleted log) gets the polite notice and changes nothing."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    user_id = user_id_of(update)
    episode, profile, latest = await _episode_of(context, user_id, callback)
    if change is None or episode is None or profile is None:
        await answer(query, render_plain(svc.content.ui.stale_button))
        return None
    index = int(callback.args[0])
    described = episode.model_copy(update=change)
    if not await svc.store.describe_episode(user_id, index, described):
        await answer(query, render_plain(svc.content.ui.stale_button))
        return None
    text, markup = _view(svc.content, profile, index, described, _usual_label(svc.content, latest))
    await asyncio.gather(
        answer(query, render_plain(svc.content.twitch.saved)), edit(query, text, markup)
    )
    return described


async def _episode_of(
    context: Context, user_id: int, callback: Callback
) -> tuple[Episode | None, Profile | None, CheckInRecord | None]:
    """The stored episode a button names by index and unix second, the person's profile and
    their latest check-in, read in one round trip."""
    index, seconds = callback.args[0], callback.args[1]
    if not (index.isdigit() and seconds.isdigit()):
        return None, None, None
    episode, profile, latest = await services(context).store.episode_in_context(user_id, int(index))
    if episode is None or int(episode.at.timestamp()) != int(seconds):
        return None, None, None
    return episode, profile, latest


def _usual_label(content: Content, latest: CheckInRecord | None) -> str:
    """The place the person's latest check-in named, else the first (the eyelid)."""
    answers = _places(content).answers
    if latest is not None:
        place = latest.checkin.twitch_location.value
        return next((a.label for a in answers if a.value == place), answers[0].label)
    return answers[0].label


async def _check(update: Update, context: Context) -> None:
    """The red-flag checker over everything known, this place included; new advice is sent and
    remembered, as after a check-in."""
    svc = services(context)
    user_id = user_id_of(update)
    profile, records, reports, episodes = await asyncio.gather(
        svc.store.get_profile(user_id),
        svc.store.list_checkins(user_id),
        svc.store.list_reports(user_id),
        svc.store.list_episodes(user_id),
    )
    if profile is None:
        return
    assessment = assess_person([r.checkin for r in records], reports, episodes)
    result = triage(assessment, profile.advised_reasons, ())
    if not result.new_reasons:
        return
    await escalate(context, profile.chat_id, profile, result)
    try:
        await svc.store.update_profile(user_id, mark_advised(result))
    except ProfileNotFound:  # deleted meanwhile: the advice went out, nothing to remember
        return


FEATURE = Feature(
    name=__name__,
    commands={"twitch": on_twitch},
    callbacks={Action.TWITCH_BEFORE: on_before, Action.TWITCH_WHERE: on_where},
    reply_buttons={"twitch.button": on_twitch},
)
