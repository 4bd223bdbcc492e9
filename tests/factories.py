"""Shared factories for tests: people, profiles and check-ins with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain.models import CheckIn, CheckInRecord, Profile, Status
from bot.storage.store import Also, Store


def make_checkin(**overrides: Any) -> CheckIn:
    """A harmless check-in: a few short eyelid twitches on day 1."""
    values: dict[str, Any] = {
        "day": 1,
        "twitch_location": "eyelid",
        "episodes_per_day": 4,
        "worst_duration": "seconds",
        "days_since_onset": 3,
        "sleep_hours": 6.5,
        "caffeine_drinks": 2,
        "stress_level": 3,
    }
    values.update(overrides)
    return CheckIn.model_validate(values)


def make_profile(user_id: int = 1001, **overrides: Any) -> Profile:
    """An active person in London who wakes at 07:00 and goes to bed at 23:00."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "chat_id": user_id,
        "status": Status.ACTIVE,
        "consent_at": datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        "zone": "Europe/London",
        "wake_time": time(7, 0),
        "bedtime": time(23, 0),
        "onset_date": date(2026, 3, 17),
        "start_date": date(2026, 3, 20),
    }
    values.update(overrides)
    return Profile.model_validate(values)


def make_record(**overrides: Any) -> CheckInRecord:
    """A stored check-in: made at 21:00 UTC on its plan day, counting from 20 March 2026."""
    checkin = make_checkin(**overrides)
    local_date = date(2026, 3, 19) + timedelta(days=checkin.day)
    at = datetime.combine(local_date, time(21, 0), tzinfo=UTC)
    return CheckInRecord(at=at, local_date=local_date, checkin=checkin)


async def add_checkins(store: Store, user_id: int, *records: CheckInRecord) -> None:
    """Store check-ins through the product's one write path: each lands with a compare-and-set
    of the person's (unchanged) profile, so the person must have one."""
    for record in records:
        await store.update_profile(user_id, _unchanged, also=Also(checkin=record))


def _unchanged(profile: Profile) -> Profile:
    return profile
