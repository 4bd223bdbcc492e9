"""The daily check-in: one message edited in place, question by question (ARCHITECTURE §4, §6).

The questions come from `content.checkin`; answers live in the person's CheckinFlow in Redis, so a
check-in survives restarts and replicas. Finishing stores the CheckInRecord, what was advised
and the emergency hold in one atomic write, then escalates (bot/chat/escalation.py).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from pydantic import ValidationError
from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.chat.checkins import Entry, save_checkin
from bot.chat.escalation import SIGNS_DONE, SIGNS_NONE, escalate, sign_rows, toggled
from bot.chat.replies import answer, edit, retire, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.episodes import day_start
from bot.domain.flows import CheckinAnswers, CheckinFlow, CheckinStep
from bot.domain.localtime import local_now
from bot.domain.models import CheckIn, Profile
from bot.domain.plan import is_evening
from bot.domain.today import today_of
from bot.domain.triage import Triage
from bot.storage.store import FlowChanged, ProfileNotFound
from bot.texts.content import Content, Question, render, render_plain
from bot.texts.emergency_numbers import number_to_call
from bot.texts.formats import long_date
from bot.views.daily import standing
from bot.views.keyboards import button, columns, keyboard, new_nonce

# Answer labels up to this many characters go two to a row.
SHORT_LABEL = 16
# Tips: below this much sleep, from this many drinks, from this stress level.
SHORT_SLEEP_HOURS = 6
MANY_DRINKS = 3
HIGH_STRESS = 4
# The answer id of "Yes, about <the count logged today>" (upper case: never a content id).
LOGGED = "LOGGED"


async def on_checkin(update: Update, context: Context) -> None:
    """/checkin: start today's check-in, resume an open one, or offer to update today's."""
    await _open(update, context, None)


async def on_checkin_now(update: Update, context: Context, callback: Callback) -> None:
    """The "Check in now" button under the day's instruction: a new check-in message."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    await _open(update, context, None)


async def on_again(update: Update, context: Context, callback: Callback) -> None:
    """ "Update today's answers": a further check-in for today, in this same message."""
    query = update.callback_query
    assert query is not None
    if callback.args:  # the real button has none: this one is forged
        await answer(query, render_plain(services(context).content.ui.stale_button))
        return
    await answer(query)
    await _open(update, context, query, again=True)


async def _open(
    update: Update, context: Context, query: CallbackQuery | None, *, again: bool = False
) -> None:
    svc = services(context)
    user_id = user_id_of(update)
    profile = await svc.store.get_profile(user_id)
    refusal = _refusal(svc.content, profile, svc.clock.now())
    if refusal is not None or profile is None:
        await _say(update, context, query, refusal or svc.content.ui.not_enrolled)
        return
    today = today_of(profile, svc.clock.now())
    flow = await svc.store.get_flow(user_id)
    if isinstance(flow, CheckinFlow) and flow.local_date == today.local_date:
        await _show(update, context, query, flow)  # resume where the person was
        return
    if not again and await _checked_in_on(context, user_id, today.local_date):
        ui = svc.content.ui
        markup = keyboard([[button(ui.checkin_update_button, Action.CHECKIN_AGAIN)]])
        await _say(update, context, query, ui.checkin_already_today, markup)
        return
    first = svc.content.checkin.steps[0].id
    slept = await svc.store.sleep_on(user_id, today.local_date)
    logged = await _logged_today(context, profile, today.local_date)
    fresh = CheckinFlow(
        step=first,
        nonce=new_nonce(),
        local_date=today.local_date,
        day=today.day or 0,
        # Logged episodes are offered as the count, to confirm with one tap or correct.
        answers=CheckinAnswers(sleep_hours=slept, episodes_per_day=logged or None),
        prefilled=() if slept is None else ("sleep_hours",),  # not asked again
    )
    await _show(update, context, query, fresh)


async def _logged_today(context: Context, profile: Profile, local_date: date) -> int:
    """How many episodes the person logged with "⚡ Twitching now" on this plan date."""
    episodes = await services(context).store.list_episodes(profile.user_id)
    since = day_start(profile.zone or "UTC", local_date, profile.wake_time)
    return sum(1 for episode in episodes if episode.at >= since)


def _refusal(content: Content, profile: Profile | None, now: datetime) -> str | None:
    """Why a check-in cannot start now, or None."""
    refusal = standing(content, profile)
    if refusal is not None or profile is None or profile.start_date is None:
        return refusal or content.ui.not_enrolled
    day = today_of(profile, now).day or 0
    if day < 0:  # the day before day 1 is fine: that check-in can be the baseline
        return render(
            content.ui.plan_not_started, start_date=long_date(profile.start_date, content.locale)
        )
    return None


async def _checked_in_on(context: Context, user_id: int, local_date: date) -> bool:
    records = await services(context).store.list_checkins(user_id)
    return any(r.local_date == local_date for r in records)


async def _say(
    update: Update,
    context: Context,
    query: CallbackQuery | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    if query is not None:
        await edit(query, text, markup)
    else:
        await send(update, context, text, markup)


async def _show(
    update: Update, context: Context, query: CallbackQuery | None, flow: CheckinFlow
) -> None:
    """Show the flow's current step, in the tapped message or a new one, and remember which."""
    svc = services(context)
    text, markup = _render(svc.content, flow)
    if query is not None and query.message is not None:
        message_id = await edit(query, text, markup) or query.message.message_id
    else:
        message = await send(update, context, text, markup)
        message_id = message.message_id
        if flow.message_id is not None:
            await retire(context, message.chat_id, flow.message_id)
    await svc.store.set_flow(user_id_of(update), flow.replaced(message_id=message_id))


# --- rendering --------------------------------------------------------------------------------


def _asked(content: Content, flow: CheckinFlow) -> list[CheckinStep]:
    """The steps this check-in asks, given the answers so far."""
    return [s.id for s in content.checkin.steps if not _skipped(s, flow.answers, flow.prefilled)]


def _skipped(step: object, answers: CheckinAnswers, prefilled: tuple[str, ...]) -> bool:
    """Not asked: the duration when there were no episodes, and anything already answered
    elsewhere (the morning's "how did you sleep?")."""
    if not isinstance(step, Question):
        return False
    no_episodes = answers.episodes_per_day == 0
    return (step.skip_when_no_episodes and no_episodes) or step.field in prefilled


def _render(content: Content, flow: CheckinFlow) -> tuple[str, InlineKeyboardMarkup]:
    checkin = content.checkin
    asked = _asked(content, flow)
    number = asked.index(flow.step) + 1 if flow.step in asked else len(asked)
    progress = render(checkin.progress, number=number, total=len(asked))
    step = checkin.step(flow.step)
    if not isinstance(step, Question):
        markup = keyboard(sign_rows(content, flow.signs, Action.CHECKIN_SIGN, flow.nonce))
        return f"{checkin.intro}\n\n{progress}\n{step.prompt}", markup
    buttons = [
        button(a.label, Action.CHECKIN_ANSWER, flow.nonce, step.id, a.id) for a in step.answers
    ]
    short = all(len(a.label) <= SHORT_LABEL for a in step.answers)
    rows = columns(buttons, 2 if short else 1)
    prompt = step.prompt
    logged = _logged_answer(flow, step)
    if logged is not None:
        count = str(logged)
        prompt = render(content.twitch.checkin_logged, count=count)
        yes = render_plain(content.twitch.checkin_logged_yes, count=count)
        rows.insert(0, [button(yes, Action.CHECKIN_ANSWER, flow.nonce, step.id, LOGGED)])
    return f"{checkin.intro}\n\n{progress}\n{prompt}", keyboard(rows)


def _logged_answer(flow: CheckinFlow, step: Question) -> int | None:
    """The count logged today, when `step` asks for the count and the log already answered it
    (not yet confirmed: the answer is only kept once the person taps)."""
    if step.field != "episodes_per_day" or flow.step != step.id:
        return None
    return flow.answers.episodes_per_day


# --- taps -------------------------------------------------------------------------------------


async def on_answer(update: Update, context: Context, callback: Callback) -> None:
    """A tapped answer: keep it, and turn the message into the next question."""
    query = update.callback_query
    assert query is not None
    content = services(context).content
    flow = await _fresh(update, context, callback, 3)
    question = _question(content, flow, callback)
    if flow is None or question is None:
        await answer(query, render_plain(content.ui.stale_button))
        return
    answers = flow.answers.with_answer(question.field, _value(flow, question, callback.args[2]))
    step, answers = _next_step(content, flow.step, answers, flow.prefilled)
    flow = flow.replaced(step=step, answers=answers)
    await services(context).store.set_flow(user_id_of(update), flow)
    await _answer_and_edit(query, *_render(content, flow))


def _question(content: Content, flow: CheckinFlow | None, callback: Callback) -> Question | None:
    """The question the tap answers, if it is the current one and the answer is one of its."""
    if flow is None or callback.args[1] != flow.step:
        return None
    step = content.checkin.step(flow.step)
    if not isinstance(step, Question):
        return None
    confirmed = callback.args[2] == LOGGED and _logged_answer(flow, step) is not None
    if not confirmed and all(a.id != callback.args[2] for a in step.answers):
        return None
    return step


def _value(flow: CheckinFlow, question: Question, answer_id: str) -> object:
    """The value of a tapped answer: one of the question's, or the count logged today."""
    if answer_id == LOGGED:
        return flow.answers.episodes_per_day
    return question.value(answer_id)


def _next_step(
    content: Content, current: CheckinStep, answers: CheckinAnswers, prefilled: tuple[str, ...]
) -> tuple[CheckinStep, CheckinAnswers]:
    """The step after `current`, and the answers with each question skipped on the way given
    its value_if_skipped."""
    steps = content.checkin.steps
    index = [s.id for s in steps].index(current) + 1
    while _skipped(steps[index], answers, prefilled):
        skipped = steps[index]
        if (
            isinstance(skipped, Question)
            and skipped.field not in prefilled
            and skipped.value_if_skipped is not None
        ):
            answers = answers.with_answer(skipped.field, skipped.value_if_skipped)
        index += 1
    return steps[index].id, answers  # the warning-sign step is last and never skipped


async def _fresh(
    update: Update, context: Context, callback: Callback, arg_count: int
) -> CheckinFlow | None:
    """The open check-in this tap belongs to, or None for a stale or forged button."""
    query = update.callback_query
    flow = await services(context).store.get_flow(user_id_of(update))
    ok = (
        query is not None
        and query.message is not None
        and isinstance(flow, CheckinFlow)
        and len(callback.args) == arg_count
        and callback.args[0] == flow.nonce
        and flow.message_id == query.message.message_id
    )
    return flow if ok and isinstance(flow, CheckinFlow) else None


async def on_sign(update: Update, context: Context, callback: Callback) -> None:
    """The warning-sign step: toggle a sign in place, or finish with "None" or "Done"."""
    query = update.callback_query
    assert query is not None
    content = services(context).content
    flow = await _fresh(update, context, callback, 2)
    if flow is None or flow.step != content.checkin.warning_signs.id:
        await answer(query, render_plain(content.ui.stale_button))
        return
    arg = callback.args[1]
    if arg in (SIGNS_NONE, SIGNS_DONE):
        await _finish(update, context, flow, () if arg == SIGNS_NONE else flow.signs)
        return
    ticked = toggled(content, flow.signs, arg)
    if ticked is None:
        await answer(query, render_plain(content.ui.stale_button))
        return
    flow = flow.replaced(signs=ticked)
    await services(context).store.set_flow(user_id_of(update), flow)
    await _answer_and_edit(query, *_render(content, flow))


async def _answer_and_edit(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Both Bot API calls at once: they do not depend on each other (the state is saved)."""
    await asyncio.gather(answer(query), edit(query, text, markup))


# --- finishing --------------------------------------------------------------------------------


async def _finish(
    update: Update, context: Context, flow: CheckinFlow, signs: tuple[str, ...]
) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    entry = Entry(
        at=svc.clock.now(),
        local_date=flow.local_date,
        signs=signs,
        build=lambda profile, _history: _build(profile, flow, signs),
    )
    # Only while this check-in is still open: a second "Done" (a double tap, or the same tap
    # retried on another replica) finds it closed and stores nothing.
    try:
        saved = await save_checkin(svc.store, user_id_of(update), entry, if_flow=flow.nonce)
    except ProfileNotFound:  # deleted mid-check-in: nothing to add to
        await answer(query, render_plain(ui.stale_button))
        return
    except FlowChanged:
        await answer(query, render_plain(ui.checkin_already_saved))
        return
    if saved is None:  # incomplete answers (e.g. content changed)
        await answer(query, render_plain(ui.stale_button))
        return
    profile, result, checkin = saved.profile, saved.result, saved.checkin
    toast = render_plain(ui.checkin_updated if saved.again else ui.checkin_saved)
    await asyncio.gather(
        answer(query, toast),
        edit(query, _done_text(svc.content, profile, result, svc.clock.now())),
        _follow_up(update, context, profile, result, checkin, signs),
    )


def _build(profile: Profile, flow: CheckinFlow, signs: tuple[str, ...]) -> CheckIn | None:
    """The CheckIn from the flow's answers; None if they are incomplete (e.g. content changed)."""
    onset = profile.onset_date or flow.local_date
    values = {
        **flow.answers.model_dump(),
        **dict.fromkeys(signs, True),
        "day": flow.day,
        "days_since_onset": max(0, (flow.local_date - onset).days),
    }
    try:
        return CheckIn.model_validate(values)
    except ValidationError:
        return None


def _done_text(content: Content, profile: Profile, result: Triage, now: datetime) -> str:
    """The check-in message's last words: an emergency alone, with nothing cheerful beside it;
    otherwise thanks, and "rest well tonight" only in the person's evening."""
    checkin = content.checkin
    if result.emergency_now:
        return render(checkin.done_emergency, number=number_to_call(content, profile))
    local = local_now(profile.zone or "UTC", now)
    if profile.bedtime is not None and is_evening(local.time(), profile.bedtime):
        return f"{checkin.done}\n{checkin.done_evening}"
    return checkin.done


async def _follow_up(
    update: Update,
    context: Context,
    profile: Profile,
    result: Triage,
    checkin: CheckIn,
    signs: tuple[str, ...],
) -> None:
    """Escalate first; a gentle tip after, unless this is an emergency."""
    await escalate(context, profile.chat_id, profile, result, signs=signs)
    if result.emergency_now:
        return
    tips = _tips(services(context).content, checkin)
    if tips:
        await send(update, context, "\n\n".join(tips))


def _tips(content: Content, checkin: CheckIn) -> list[str]:
    """Advice chosen from the answers; sleep, caffeine and stress never raise an alarm."""
    tips = content.checkin.tips
    chosen = [
        (checkin.episodes_per_day == 0, tips.no_episodes),
        (checkin.sleep_hours < SHORT_SLEEP_HOURS, tips.short_sleep),
        (checkin.caffeine_drinks >= MANY_DRINKS, tips.caffeine),
        (checkin.stress_level >= HIGH_STRESS, tips.stress),
    ]
    return [text for wanted, text in chosen if wanted]


FEATURE = Feature(
    name=__name__,
    commands={"checkin": on_checkin},
    callbacks={
        Action.CHECKIN_NOW: on_checkin_now,
        Action.CHECKIN_AGAIN: on_again,
        Action.CHECKIN_ANSWER: on_answer,
        Action.CHECKIN_SIGN: on_sign,
    },
)
