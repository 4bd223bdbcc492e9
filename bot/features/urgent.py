"""/urgent: "new or worrying symptoms", reachable at any time (ARCHITECTURE §4).

Anyone may use it: enrolled or not, paused or stopped, even without a profile (safety first;
then nothing is stored). Its buttons carry the ticked signs as a bitmask instead of a Flow, so
opening /urgent never replaces a check-in in progress, and a person without a profile leaves
nothing in Redis. When storing fails, the advice is still shown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from redis.exceptions import RedisError
from telegram import InlineKeyboardMarkup, Update

from bot.chat.escalation import (
    SIGNS_DONE,
    SIGNS_NONE,
    escalate,
    mark_advised,
    mask_to_signs,
    on_safe,
    sign_rows,
    signs_to_mask,
    ticked_lines,
    toggled,
)
from bot.chat.replies import answer, edit, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import country_of
from bot.domain.models import Assessment, CheckIn, Level, Profile, Reason, SignReport
from bot.domain.today import today_of
from bot.domain.triage import Triage, assess_person, triage
from bot.storage.store import Also, StoreError
from bot.texts.content import Content, render_plain
from bot.views.keyboards import button, keyboard

log = logging.getLogger(__name__)

# A person's history as urgent needs it: profile, check-ins, earlier reports.
History = tuple[Profile | None, list[CheckIn], list[SignReport]]


async def on_urgent(update: Update, context: Context) -> None:
    """/urgent: the emergency signs, a one-tap "I have one", and the sign checklist."""
    await send(update, context, *_view(services(context).content, ()))


async def on_urgent_open(update: Update, context: Context, callback: Callback) -> None:
    """The "new or worrying symptoms" button in /help: the same as /urgent."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    await send(update, context, *_view(services(context).content, ()))


def _view(content: Content, ticked: Sequence[str]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [button(content.ui.urgent_emergency_button, Action.URGENT_SOS)],
        *sign_rows(content, ticked, Action.URGENT_SIGN, str(signs_to_mask(ticked))),
    ]
    return content.ui.urgent_intro, keyboard(rows)


async def on_sign(update: Update, context: Context, callback: Callback) -> None:
    """Toggle a sign in place; "None of these" calms; "Done" reports and escalates."""
    query = update.callback_query
    assert query is not None
    content = services(context).content
    ticked = mask_to_signs(callback.args[0]) if len(callback.args) == 2 else None
    if ticked is None:
        await answer(query, render_plain(content.ui.stale_button))
        return
    arg = callback.args[1]
    if arg == SIGNS_NONE or (arg == SIGNS_DONE and not ticked):
        await answer(query)
        profile, _, _ = await _history(context, user_id_of(update))
        await edit(query, content.local(country_of(profile)).ui.urgent_none)
        return
    if arg == SIGNS_DONE:
        await _report(update, context, ticked)
        return
    now_ticked = toggled(content, ticked, arg)
    if now_ticked is None:
        await answer(query, render_plain(content.ui.stale_button))
        return
    await answer(query)
    await edit(query, *_view(content, now_ticked))


async def _report(update: Update, context: Context, ticked: tuple[str, ...]) -> None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    user_id = user_id_of(update)
    profile, checkins, reports = await _history(context, user_id)
    report = _sign_report(profile, svc.clock.now(), ticked)
    advised = profile.advised_reasons if profile else ()
    result = triage(assess_person(checkins, [*reports, report]), advised, ticked)
    await answer(query)
    await edit(query, f"{svc.content.ui.urgent_intro}\n\n{ticked_lines(svc.content, ticked)}")
    doctor = [Reason(s) for s in ticked if Reason(s).level is Level.SEE_DOCTOR]
    await escalate(context, _chat_id(update), profile, result, signs=ticked, always=doctor)
    if profile is not None:
        await _save(context, profile, result, report)


async def _history(context: Context, user_id: int) -> History:
    """What is stored about the person; nothing if Redis fails (the advice still goes out)."""
    store = services(context).store
    try:
        profile = await store.get_profile(user_id)
        if profile is None:
            return None, [], []
        checkins = [r.checkin for r in await store.list_checkins(user_id)]
        return profile, checkins, await store.list_reports(user_id)
    except (RedisError, StoreError) as exc:
        log.warning("urgent: history unavailable (%s)", type(exc).__name__)
        return None, [], []


def _sign_report(profile: Profile | None, now: datetime, ticked: tuple[str, ...]) -> SignReport:
    if profile is None:
        return SignReport(at=now, local_date=now.astimezone(UTC).date(), day=1, signs=ticked)
    today = today_of(profile, now)
    day = max(today.day or 1, 1)
    return SignReport(at=now, local_date=today.local_date, day=day, signs=ticked)


async def _save(
    context: Context, profile: Profile, result: Triage, report: SignReport | None
) -> None:
    """Store the report with what was advised and the hold, atomically (after the advice)."""
    try:
        await services(context).store.update_profile(
            profile.user_id, mark_advised(result), also=Also(report=report)
        )
    except (RedisError, StoreError) as exc:
        log.warning("urgent: report not stored (%s)", type(exc).__name__)


async def on_sos(update: Update, context: Context, callback: Callback) -> None:
    """ "I have one of these signs": the emergency message at once, then hold the nudges."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    content = services(context).content
    result = Triage(
        assessment=Assessment(level=Level.EMERGENCY), new_reasons=(), emergency_now=True
    )
    profile, _, _ = await _history(context, user_id_of(update))
    await escalate(context, _chat_id(update), profile, result)
    await edit(query, content.ui.urgent_intro)
    if profile is not None:
        await _save(context, profile, result, None)


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    return chat.id if chat is not None else user_id_of(update)


FEATURE = Feature(
    name=__name__,
    commands={"urgent": on_urgent},
    callbacks={
        Action.URGENT_OPEN: on_urgent_open,
        Action.URGENT_SIGN: on_sign,
        Action.URGENT_SOS: on_sos,
        Action.SAFE: on_safe,
    },
)
