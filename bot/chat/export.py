"""The person's copy of everything stored (ARCHITECTURE §11): a JSON file, CSVs of check-ins
and logged episodes, and the doctor's PDF, sent into a chat. /export and the Mini App's
export both send exactly this.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from telegram import InputFile

from bot.core.context import Context, services
from bot.domain.country import country_of
from bot.domain.episodes import Episode
from bot.domain.flows import Flow
from bot.domain.insight import week_insight
from bot.domain.localtime import local_now
from bot.domain.models import CheckIn, CheckInRecord, Profile, SignReport
from bot.domain.today import today_of
from bot.storage.store import Store, person_keys
from bot.views.report_pdf import report_pdf

JSON_NAME: Final = "twitchcare-export.json"
CSV_NAME: Final = "twitchcare-checkins.csv"
EPISODES_CSV_NAME: Final = "twitchcare-episodes.csv"
PDF_NAME: Final = "twitchcare-doctor-report.pdf"
EXPORT_SCHEMA: Final = "twitchcare-export/1"
# Describes the file's format for whoever reads it later (the person, a doctor, another tool).
SCHEMA_NOTE: Final = (
    "Everything TwitchCare stores about you. Times ('at', 'exported_at', 'consent_at') are "
    "ISO 8601 in UTC; 'local_date' is the date in your time zone; 'day' is the plan day (1-7). "
    "'profile' is your enrolment and settings, 'checkins' your daily check-ins, "
    "'urgent_reports' the warning signs you reported with /urgent, 'reminders_sent' which "
    "scheduled messages went out (as slot:local date), 'episodes' the twitching you logged "
    "the moment it happened (with 'local_time' in your time zone, what came just 'before', "
    "and 'where' when not in your usual place), 'exercises' the guided exercises you "
    "finished in the Mini App (by plan day), and 'conversation_in_progress' any "
    "answers you had started but not finished."
)
# One row per check-in: when, the local date, then every CheckIn field in declaration order
# (the first is `day`, the plan day). Never reorder: people may have scripts that read it.
CSV_COLUMNS: Final[tuple[str, ...]] = ("at", "local_date", *CheckIn.model_fields)
# One row per logged episode; empty cells for questions not answered. Never reorder.
EPISODE_COLUMNS: Final[tuple[str, ...]] = ("at", "local_time", "before", "where")


async def has_data(store: Store, user_id: int) -> bool:
    """Whether any key of the person exists; works even when a stored value is unreadable."""
    return bool(await store.redis.exists(*person_keys(user_id)))


async def send_export(context: Context, chat_id: int, user_id: int) -> None:
    """Everything stored about `user_id`, as files in `chat_id` (their private chat)."""
    svc = services(context)
    ui = svc.content.ui
    profile = await svc.store.get_profile(user_id)
    checkins = await svc.store.list_checkins(user_id)
    reports = await svc.store.list_reports(user_id)
    sent = await svc.store.sent_slots(user_id)
    flow = await svc.store.get_flow(user_id)
    episodes = await svc.store.list_episodes(user_id)
    zone = profile.zone if profile is not None and profile.zone else "UTC"
    logged = [episode_row(episode, zone) for episode in episodes]
    document = export_document(user_id, svc.clock.now(), profile, checkins, reports, sent, flow)
    document["episodes"] = logged
    exercises = await svc.store.exercises_by_day(user_id)
    document["exercises"] = {str(day): kinds for day, kinds in sorted(exercises.items())}
    json_bytes = json.dumps(document, ensure_ascii=False, indent=2).encode()
    await context.bot.send_document(
        chat_id, InputFile(io.BytesIO(json_bytes), filename=JSON_NAME), caption=ui.export_caption
    )
    csv_bytes = checkins_csv(checkins).encode()
    await context.bot.send_document(
        chat_id, InputFile(io.BytesIO(csv_bytes), filename=CSV_NAME), caption=ui.export_csv_caption
    )
    if logged:
        await context.bot.send_document(
            chat_id,
            InputFile(
                io.BytesIO(rows_csv(EPISODE_COLUMNS, logged).encode()), filename=EPISODES_CSV_NAME
            ),
            caption=svc.content.twitch.export_caption,
        )
    if profile is not None and profile.start_date is not None:
        await _send_report(context, chat_id, profile, checkins, reports, episodes)


async def _send_report(
    context: Context,
    chat_id: int,
    profile: Profile,
    checkins: Sequence[CheckInRecord],
    reports: Sequence[SignReport],
    episodes: Sequence[Episode],
) -> None:
    """The doctor's PDF; drawn in a worker thread so other people's updates go on meanwhile."""
    svc = services(context)
    now = svc.clock.now()
    insight = week_insight(profile, checkins, reports, today_of(profile, now).local_date)
    content = svc.content.local(country_of(profile))
    pdf = await asyncio.to_thread(report_pdf, content, profile, insight, now, episodes=episodes)
    await context.bot.send_document(
        chat_id,
        InputFile(io.BytesIO(pdf), filename=PDF_NAME),
        caption=svc.content.ui.insight.export_pdf_caption,
    )


def export_document(
    user_id: int,
    now: datetime,
    profile: Profile | None,
    checkins: Sequence[CheckInRecord],
    reports: Sequence[SignReport],
    reminders_sent: Iterable[str],
    flow: Flow | None,
) -> dict[str, Any]:
    """The JSON export: only this person's data, as stored, with a note on the format."""
    return {
        "schema": EXPORT_SCHEMA,
        "schema_note": SCHEMA_NOTE,
        "exported_at": now.isoformat(),
        "user_id": user_id,
        "profile": profile.model_dump(mode="json") if profile else None,
        "checkins": [record.model_dump(mode="json") for record in checkins],
        "urgent_reports": [report.model_dump(mode="json") for report in reports],
        "reminders_sent": sorted(reminders_sent),
        "conversation_in_progress": flow.model_dump(mode="json") if flow else None,
    }


def checkins_csv(checkins: Sequence[CheckInRecord]) -> str:
    """One row per check-in in CSV_COLUMNS order; booleans as true/false."""
    rows = [
        {
            "at": record.at.isoformat(),
            "local_date": record.local_date.isoformat(),
            **{
                name: _cell(value) for name, value in record.checkin.model_dump(mode="json").items()
            },
        }
        for record in checkins
    ]
    return rows_csv(CSV_COLUMNS, rows)


def episode_row(episode: Episode, zone: str) -> dict[str, str | None]:
    """A logged episode for the export: UTC and local time, then the optional answers."""
    return {
        "at": episode.at.isoformat(),
        "local_time": local_now(zone, episode.at).replace(tzinfo=None).isoformat(),
        "before": episode.before.value if episode.before else None,
        "where": episode.where.value if episode.where else None,
    }


def rows_csv(columns: Sequence[str], rows: Iterable[Mapping[str, str | None]]) -> str:
    """Rows as CSV in `columns` order; None as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow("" if row[column] is None else row[column] for column in columns)
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
