"""The person's data rights: /export sends a copy of everything stored, /delete erases it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from telegram import InputFile, ReplyKeyboardRemove, Update

from bot.chat.replies import answer, confirm_with, edit, send, user_id_of
from bot.chat.router import Feature
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import country_of
from bot.domain.episodes import Episode
from bot.domain.flows import Flow
from bot.domain.insight import week_insight
from bot.domain.localtime import local_now
from bot.domain.models import CheckIn, CheckInRecord, Profile, SignReport
from bot.domain.today import today_of
from bot.storage.store import CorruptProfileError, Store, person_keys
from bot.texts.content import render_plain
from bot.views.keyboards import button, keyboard
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
    "and 'where' when not in your usual place), and 'conversation_in_progress' any "
    "answers you had started but not finished."
)
# One row per check-in: when, the local date, then every CheckIn field in declaration order
# (the first is `day`, the plan day). Never reorder: people may have scripts that read it.
CSV_COLUMNS: Final[tuple[str, ...]] = ("at", "local_date", *CheckIn.model_fields)
# One row per logged episode; empty cells for questions not answered. Never reorder.
EPISODE_COLUMNS: Final[tuple[str, ...]] = ("at", "local_time", "before", "where")

YES, NO = "yes", "no"


async def on_export(update: Update, context: Context) -> None:
    """/export: a JSON file with everything stored, a CSV of check-ins, and the doctor's PDF."""
    user_id = await _person_with_data(update, context)
    if user_id is None:
        return
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
    chat_id = update.effective_chat.id if update.effective_chat else user_id
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


async def _person_with_data(update: Update, context: Context) -> int | None:
    """The person's id when anything is stored about them; otherwise say there is nothing."""
    svc = services(context)
    user_id = user_id_of(update)
    if await _has_data(svc.store, user_id):
        return user_id
    await send(update, context, svc.content.ui.export_empty)
    return None


async def on_delete(update: Update, context: Context) -> None:
    """/delete: ask first; the buttons only work for the data as it is now."""
    user_id = await _person_with_data(update, context)
    if user_id is None:
        return
    svc = services(context)
    ui = svc.content.ui
    token = await _data_token(svc.store, user_id)
    rows = [
        [button(ui.delete_yes, Action.DELETE, token, YES)],
        [button(ui.delete_no, Action.DELETE, token, NO)],
    ]
    await send(update, context, ui.delete_confirm, keyboard(rows))


async def on_delete_button(update: Update, context: Context, callback: Callback) -> None:
    """Yes erases every key of the person; no changes nothing. Stale buttons get a notice."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    ui = svc.content.ui
    if len(callback.args) != 2 or callback.args[1] not in (YES, NO):
        await answer(query, render_plain(ui.stale_button))
        return
    token, choice = callback.args
    if choice == NO:
        await answer(query)
        await edit(query, ui.delete_cancelled)
        return
    user_id = user_id_of(update)
    # A confirmation shown before the data was deleted (or re-created by a new /start) must not
    # erase what exists now: the person never confirmed that.
    if not await _has_data(svc.store, user_id) or token != await _data_token(svc.store, user_id):
        await answer(query, render_plain(ui.stale_button))
        return
    await svc.store.delete_person(user_id)
    await answer(query)
    await confirm_with(query, ui.deleted, ReplyKeyboardRemove())
    # That answer is a new message (only one can take the ⚡ keyboard away), and sending it
    # made the rate limiter a bucket named after the chat: sweep once more, so no key names
    # the person afterwards.
    await svc.store.delete_person(user_id)


async def _has_data(store: Store, user_id: int) -> bool:
    """Whether any key of the person exists; works even when a stored value is unreadable."""
    return bool(await store.redis.exists(*person_keys(user_id)))


async def _data_token(store: Store, user_id: int) -> str:
    """Names this incarnation of the person's data: it changes when they delete and re-enrol."""
    try:
        profile = await store.get_profile(user_id)
    except CorruptProfileError:
        return "unreadable"  # deleting must still work when the profile cannot be read
    if profile is None:
        return "none"
    return str(int(profile.consent_at.timestamp()))


FEATURE = Feature(
    name=__name__,
    commands={"export": on_export, "delete": on_delete},
    callbacks={Action.DELETE: on_delete_button},
)
