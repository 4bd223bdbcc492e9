"""The Mini App's writes: a corrected check-in and a finished exercise (ARCHITECTURE §11).

A correction goes through the chat's own code: the same CheckIn model validates it, the same
`save_checkin` assesses red flags and stores it atomically, the same `escalate` sends the
advice into the person's private chat.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.chat.checkins import Entry, save_checkin
from bot.chat.erase import erase_person
from bot.chat.escalation import escalate
from bot.chat.export import has_data, send_export
from bot.domain.diary import EXERCISE_KINDS, plan_dates
from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn, CheckInRecord, Profile
from bot.domain.today import today_of
from bot.storage.store import ProfileNotFound
from bot.webapp.api import chat_context, enrolled, not_enrolled
from bot.webapp.auth import Caller, services_of, writer
from bot.webapp.errors import ApiError
from bot.webapp.views import advice_json

# What the page may change; `day` and `days_since_onset` follow from the date.
EDITABLE: Final = frozenset(CheckIn.model_fields) - {"day", "days_since_onset"}


def _bad_input(who: Caller) -> ApiError:
    return ApiError(400, "bad_request", who.content.ui.webapp_bad_input)


def _plan_date(request: Request, who: Caller, profile: Profile, day: object) -> date:
    """The date of plan day `day`, which must be between 1 and today's plan day."""
    today = today_of(profile, services_of(request).clock.now()).day or 0
    found = plan_dates(profile).get(day) if type(day) is int and 1 <= day <= today else None
    if found is None:
        raise ApiError(400, "bad_day", who.content.ui.webapp_bad_day)
    return found


def _answers(who: Caller, data: dict[str, Any]) -> dict[str, Any]:
    answers = data.get("answers")
    if not isinstance(answers, dict) or not answers or not set(answers) <= EDITABLE:
        raise _bad_input(who)
    return answers


def _corrected(local_date: date, day: int, answers: dict[str, Any]) -> Any:
    """Builds the day's check-in: its latest answers with `answers` over them (all of them
    when the day has none yet), validated by the CheckIn model in strict JSON mode, so a value
    of the wrong type is refused, never coerced: `"painful": "yes"` is not true, `"3"` and
    `3.0` are not 3."""

    def build(profile: Profile, history: Sequence[CheckInRecord]) -> CheckIn | None:
        latest = [r.checkin for r in history if r.local_date == local_date]
        base = latest[-1].model_dump(mode="json") if latest else {}
        onset = profile.onset_date or local_date
        values = {
            **base,
            **answers,
            "day": day,
            "days_since_onset": max(0, (local_date - onset).days),
        }
        try:
            return CheckIn.model_validate_json(json.dumps(values), strict=True)
        except ValidationError:
            return None

    return build


async def checkin(request: Request) -> Response:
    """POST /app/api/checkin {"day", "answers"}: correct (or add) a plan day's check-in."""
    who, data = await writer(request)
    profile = enrolled(who)
    local_date = _plan_date(request, who, profile, data.get("day"))
    answers = _answers(who, data)
    signs = tuple(f for f in WARNING_SIGN_FIELDS if answers.get(f) is True)
    svc = services_of(request)
    entry = Entry(
        at=svc.clock.now(),
        local_date=local_date,
        signs=signs,
        build=_corrected(local_date, int(data["day"]), answers),
    )
    try:
        saved = await save_checkin(svc.store, who.user_id, entry)
    except ProfileNotFound:
        raise not_enrolled(who) from None
    if saved is None:
        raise _bad_input(who)
    await escalate(
        chat_context(request, who), saved.profile.chat_id, saved.profile, saved.result, signs=signs
    )
    advice = advice_json(who.content, saved.profile, saved.result, signs)
    return JSONResponse({"ok": True, "advice": advice})


async def exercise(request: Request) -> Response:
    """POST /app/api/exercise {"kind", "day"}: a guided exercise finished (once per day)."""
    who, data = await writer(request)
    profile = enrolled(who)
    _plan_date(request, who, profile, data.get("day"))
    kind = data.get("kind")
    if kind not in EXERCISE_KINDS:
        raise _bad_input(who)
    svc = services_of(request)
    try:
        await svc.store.record_exercise(who.user_id, str(kind), int(data["day"]), svc.clock.now())
    except ProfileNotFound:
        raise not_enrolled(who) from None
    return JSONResponse({"ok": True})


async def export(request: Request) -> Response:
    """POST /app/api/export {}: the same files as /export, sent into the private chat."""
    who, _ = await writer(request)
    svc = services_of(request)
    if not await has_data(svc.store, who.user_id):
        raise ApiError(400, "no_data", who.content.ui.export_empty)
    await send_export(chat_context(request, who), who.user_id, who.user_id)
    return JSONResponse({"sent": True})


async def delete(request: Request) -> Response:
    """POST /app/api/delete {"confirm": true}: everything stored goes, as /delete confirmed."""
    who, data = await writer(request)
    if data.get("confirm") is not True:
        raise _bad_input(who)
    await erase_person(chat_context(request, who), who.user_id, who.user_id)
    return JSONResponse({"deleted": True})
