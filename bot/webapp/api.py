"""The Mini App's JSON API under /app/api (ARCHITECTURE §11).

Every handler starts from the signed caller (bot/webapp/auth.py) and reads or writes only that
person's data, through the same store, validation, red-flag and escalation code as the chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.core.context import App, Context
from bot.domain.diary import diary_days
from bot.domain.episode_insight import episode_insight
from bot.domain.episodes import Episode
from bot.domain.insight import week_insight
from bot.domain.models import Assessment, CheckInRecord, Profile, SignReport
from bot.domain.today import today_of
from bot.domain.triage import assess_person
from bot.texts.content import Content
from bot.views.charts import hour_panel
from bot.webapp.auth import Caller, caller, services_of
from bot.webapp.chart_svg import chart_svg
from bot.webapp.errors import ApiError
from bot.webapp.views import choices_json, day_json, standing_advice, status_of


def chat_context(request: Request, who: Caller) -> Context:
    """A context for the shared chat code (escalation, export) outside an update: the
    person's own private chat, in their language."""
    app: App = request.app.state.bot
    context = Context(app, chat_id=who.user_id, user_id=who.user_id)
    context.locale = who.content.locale
    return context


def _texts(content: Content) -> dict[str, str]:
    """The page's texts (content/<locale>/webapp.yaml), loaded and checked with all content."""
    return content.webapp.model_dump()


async def texts(request: Request) -> Response:
    """The page's texts in the caller's language; no profile needed."""
    who = await caller(request)
    locale = who.content.locale
    return JSONResponse({"locale": locale, "texts": _texts(who.content)})


async def diary(request: Request) -> Response:
    """The week: one row per plan day, choices for corrections, and standing advice."""
    who = await caller(request)
    svc = services_of(request)
    content, profile = who.content, who.profile
    body: dict[str, Any] = {
        "locale": content.locale,
        "texts": _texts(content),
        "status": status_of(profile),
        "today_day": None,
        "days": [],
        "choices": choices_json(content),
        "advice": None,
    }
    if profile is None:
        return JSONResponse(body)
    records, episodes, exercises, reports = await asyncio.gather(
        svc.store.list_checkins(who.user_id),
        svc.store.list_episodes(who.user_id),
        svc.store.exercises_by_day(who.user_id),
        svc.store.list_reports(who.user_id),
    )
    rows = diary_days(profile, records, episodes, exercises)
    body["today_day"] = today_of(profile, svc.clock.now()).day
    body["days"] = [day_json(content, row) for row in rows]
    body["advice"] = standing_advice(
        content, profile, standing_assessment(records, reports, episodes)
    )
    return JSONResponse(body)


async def chart(request: Request) -> Response:
    """GET /app/api/chart.svg: the /progress chart (same columns, hour panel and exercises)
    as SVG, drawn in a worker thread."""
    who = await caller(request)
    profile = enrolled(who)
    svc = services_of(request)
    records, reports, episodes, exercises = await asyncio.gather(
        svc.store.list_checkins(who.user_id),
        svc.store.list_reports(who.user_id),
        svc.store.list_episodes(who.user_id),
        svc.store.exercises_by_day(who.user_id),
    )
    today = today_of(profile, svc.clock.now())
    insight = week_insight(profile, records, reports, today.local_date)
    logged = episode_insight(profile.zone or "UTC", profile.wake_time, episodes, records)
    panel = hour_panel(who.content.twitch, logged)
    svg = await asyncio.to_thread(chart_svg, insight.days, who.content, panel, exercises)
    return Response(svg, media_type="image/svg+xml")


def standing_assessment(
    records: Sequence[CheckInRecord], reports: Sequence[SignReport], episodes: Sequence[Episode]
) -> Assessment:
    """The person's red flags over everything stored, as the chat assesses them."""
    return assess_person([r.checkin for r in records], reports, episodes)


def not_enrolled(who: Caller) -> ApiError:
    return ApiError(400, "not_enrolled", who.content.ui.not_enrolled)


def enrolled(who: Caller) -> Profile:
    """The caller's profile once their plan has a start date; otherwise 400 not_enrolled."""
    if who.profile is None or who.profile.start_date is None:
        raise not_enrolled(who)
    return who.profile
