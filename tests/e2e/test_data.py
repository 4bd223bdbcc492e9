"""/export and /delete end to end: the files match what Redis holds, deletion leaves no key."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.callbacks import Action, encode
from bot.domain.flows import SettingsFlow
from bot.domain.models import CheckIn, CheckInRecord, SignReport
from bot.storage.store import Also
from tests.e2e.harness import START, USER, Harness
from tests.e2e.steps import documents, enrol, keyspace, pdf_text, values_of
from tests.factories import add_checkins, make_record

OTHER = 515151
EXPORT_CAPTION = "📦 Everything I've stored about you, as a JSON file."
EXPORT_EMPTY = "I don't have any data stored for you."
DELETE_CONFIRM = "Delete all your data?"
DELETED = "Everything I had stored about you is deleted"
DELETE_CANCELLED = "👍 Nothing was deleted."
STALE = "This button has expired. Please use the latest message."
# Written out, not imported: a change of column order must fail here (people's scripts read it).
CSV_HEADER = [
    "at",
    "local_date",
    "day",
    "twitch_location",
    "episodes_per_day",
    "worst_duration",
    "painful",
    "spreading",
    "drooping",
    "cannot_close_eye",
    "slurred_speech",
    "sudden_weakness_or_numbness",
    "confusion",
    "vision_change",
    "eye_redness_or_discharge",
    "eyelid_clamps_shut",
    "days_since_onset",
    "sleep_hours",
    "caffeine_drinks",
    "stress_level",
]


async def seed_report(bot: Harness, user: int) -> SignReport:
    report = SignReport(
        at=datetime(2026, 3, 20, 9, 30, tzinfo=UTC),
        local_date=date(2026, 3, 20),
        day=1,
        signs=("painful", "vision_change"),
    )
    await bot.store.update_profile(user, lambda p: p, also=Also(report=report))
    return report


async def stored_values(bot: Harness, key: str) -> list[str]:
    """Everything a key holds, as text."""
    return [value.decode(errors="replace") for value in await values_of(bot.redis, key)]


def exported(bot: Harness, user: int = USER) -> tuple[dict[str, Any], list[dict[str, str]]]:
    files = documents(bot, user)
    # Once enrolled, the doctor's PDF comes too (tests/e2e/test_report_pdf.py reads it).
    expected = {"twitchcare-export.json", "twitchcare-checkins.csv"}
    assert expected <= set(files) <= expected | {"twitchcare-doctor-report.pdf"}
    json_file = files["twitchcare-export.json"].document
    csv_file = files["twitchcare-checkins.csv"].document
    assert json_file is not None
    assert csv_file is not None
    text = csv_file.data.decode()
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == CSV_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    return json.loads(json_file.data), rows


def checkin_from_row(row: dict[str, str]) -> CheckInRecord:
    """Read a CSV row back into a record, so it can be compared with Redis field by field."""
    values: dict[str, object] = {
        k: {"true": True, "false": False}.get(v, v) for k, v in row.items()
    }
    return CheckInRecord(
        at=datetime.fromisoformat(row["at"]),
        local_date=date.fromisoformat(row["local_date"]),
        checkin=CheckIn.model_validate(
            {k: v for k, v in values.items() if k not in ("at", "local_date")}
        ),
    )


async def test_export_sends_json_and_csv_that_match_redis(bot: Harness) -> None:
    await enrol(bot)
    await add_checkins(
        bot.store,
        USER,
        make_record(day=1),
        make_record(day=2, painful=True, sleep_hours=7.25, worst_duration="minutes"),
        make_record(day=3, twitch_location="cheek", episodes_per_day=0, stress_level=1),
    )
    report = await seed_report(bot, USER)
    assert await bot.store.claim_send(USER, "morning", date(2026, 3, 20))

    await bot.send("/export")

    data, rows = exported(bot)
    profile = await bot.store.get_profile(USER)
    stored = await bot.store.list_checkins(USER)
    assert profile is not None
    assert len(stored) == 3
    assert data["user_id"] == USER
    assert data["exported_at"] == START.isoformat()
    assert data["schema"].startswith("twitchcare-export/")
    assert "UTC" in data["schema_note"]
    assert data["profile"] == profile.model_dump(mode="json")
    assert data["profile"]["zone"] == "Europe/London"
    assert [CheckInRecord.model_validate(c) for c in data["checkins"]] == stored
    assert [SignReport.model_validate(r) for r in data["urgent_reports"]] == [report]
    assert data["conversation_in_progress"] is None
    assert data["reminders_sent"] == sorted(await bot.store.sent_slots(USER))
    assert data["reminders_sent"] == ["morning:2026-03-20"]
    assert [checkin_from_row(row) for row in rows] == stored
    assert rows[1]["painful"] == "true"
    assert rows[1]["sleep_hours"] == "7.25"
    assert rows[0]["at"] == "2026-03-20T21:00:00+00:00"
    json_message = documents(bot)["twitchcare-export.json"]
    assert json_message.caption == EXPORT_CAPTION


async def test_export_includes_an_unfinished_conversation(bot: Harness) -> None:
    await bot.send("/start")
    await bot.tap("✅ I understand, let's start")
    await bot.send("tokyo")

    await bot.send("/export")

    data, rows = exported(bot)
    assert rows == []
    assert data["profile"]["status"] == "onboarding"
    assert data["checkins"] == []
    conversation = data["conversation_in_progress"]
    assert (conversation["zone"], conversation["country"]) == ("Asia/Tokyo", "JP")


async def test_export_never_contains_another_persons_data(bot: Harness) -> None:
    bot.emu.add_user(OTHER, first_name="Sam")
    await enrol(bot)
    await enrol(bot, zone="Europe/Berlin", user=OTHER)
    await add_checkins(bot.store, USER, make_record(day=1))
    await add_checkins(bot.store, OTHER, make_record(day=1, caffeine_drinks=97), make_record(day=2))
    await seed_report(bot, OTHER)

    await bot.send("/export")

    data, rows = exported(bot)
    files = documents(bot)
    # The PDF is compressed, so its text is extracted rather than searched as bytes.
    raw = b"".join(
        m.document.data
        for name, m in files.items()
        if m.document is not None and not name.endswith(".pdf")
    )
    raw += pdf_text(files["twitchcare-doctor-report.pdf"]).encode()
    assert str(OTHER).encode() not in raw
    assert b"Berlin" not in raw
    assert b"97" not in raw
    assert len(data["checkins"]) == len(rows) == 1
    assert data["urgent_reports"] == []
    assert documents(bot, OTHER) == {}  # nothing was sent to the other person


async def test_export_with_nothing_stored(bot: Harness) -> None:
    await bot.send("/export")

    assert bot.last().text == EXPORT_EMPTY
    assert documents(bot) == {}
    assert await keyspace(bot) == []


async def test_delete_confirmed_leaves_no_key_of_the_person(bot: Harness) -> None:
    bot.emu.add_user(OTHER, first_name="Sam")
    await enrol(bot, user=OTHER)
    await enrol(bot)
    await add_checkins(bot.store, USER, make_record(day=1), make_record(day=2))
    await seed_report(bot, USER)
    await bot.store.set_flow(USER, SettingsFlow(nonce="abc123"))
    await bot.store.claim_send(USER, "morning", date(2026, 3, 20))
    keys_before = await keyspace(bot)
    assert any(str(USER) in key for key in keys_before)
    other_keys = [key for key in keys_before if str(OTHER) in key]
    assert other_keys

    await bot.send("/delete")
    confirmation = bot.last()
    assert DELETE_CONFIRM in confirmation.text
    assert await bot.store.get_profile(USER) is not None  # asking deletes nothing
    await bot.tap("🗑️ Yes, delete everything")

    # The question loses its buttons; the answer is a new message, which also takes the
    # "⚡ Twitching now" keyboard away.
    asked = next(m for m in bot.messages() if m.message_id == confirmation.message_id)
    assert DELETE_CONFIRM in asked.text
    assert asked.buttons == ()
    assert DELETED in bot.last().text
    assert bot.last().buttons == ()
    assert bot.last().reply_keyboard == {"remove_keyboard": True}
    keys_after = await keyspace(bot)
    assert [key for key in keys_after if str(USER) in key] == []
    assert [key for key in keys_after if str(OTHER) in key] == other_keys
    assert await bot.app.bot_data.services.queue.due_at(USER) is None
    assert await bot.app.bot_data.services.queue.due_at(OTHER) is not None
    for key in keys_after:  # nor is the id stored as a value, e.g. in a shared queue
        assert not any(str(USER) in value for value in await stored_values(bot, key))
    assert await bot.store.get_profile(OTHER) is not None

    await bot.send("/export")
    assert bot.last().text == EXPORT_EMPTY


async def test_delete_cancelled_keeps_everything(bot: Harness) -> None:
    await enrol(bot)
    await add_checkins(bot.store, USER, make_record(day=1))
    before = {key: await bot.redis.dump(key) for key in await keyspace(bot)}

    await bot.send("/delete")
    confirmation = bot.last()
    await bot.tap("No, keep it")

    assert bot.last().message_id == confirmation.message_id
    assert bot.last().text == DELETE_CANCELLED
    assert {key: await bot.redis.dump(key) for key in await keyspace(bot)} == before


async def test_stale_delete_confirmation_is_answered_politely(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/delete")
    first = bot.last()
    yes = next(value for _, value in first.button_values[0])
    assert yes is not None
    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")  # on the newest confirmation
    assert await keyspace(bot) == []

    await bot.tap_raw(yes, first.message_id)  # the older one, after the data is gone

    assert bot.last_answer() == STALE
    assert await keyspace(bot) == []


async def test_old_confirmation_cannot_delete_data_from_a_new_start(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/delete")
    old = bot.last()
    old_yes = next(value for _, value in old.button_values[0])
    assert old_yes is not None
    await bot.send("/delete")
    await bot.tap("🗑️ Yes, delete everything")
    bot.advance(minutes=5)
    await enrol(bot)  # a fresh start after deleting

    await bot.tap_raw(old_yes, old.message_id)

    assert bot.last_answer() == STALE
    assert await bot.store.get_profile(USER) is not None


async def test_forged_delete_buttons_delete_nothing(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/delete")
    message = bot.last()

    for data in (
        encode(Action.DELETE),
        encode(Action.DELETE, "1", "maybe"),
        encode(Action.DELETE, "123", "yes"),
    ):
        await bot.tap_raw(data, message.message_id)
        assert bot.last_answer() == STALE

    assert await bot.store.get_profile(USER) is not None


async def test_delete_with_nothing_stored(bot: Harness) -> None:
    await bot.send("/delete")

    assert bot.last().text == EXPORT_EMPTY
    assert bot.last().buttons == ()
