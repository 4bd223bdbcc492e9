"""Saving a check-in, the one way for the chat and the Mini App (ARCHITECTURE §4, §11).

Reads the person's history, assesses red flags over it with the new check-in, and stores the
check-in with what was advised (and the emergency hold) in one compare-and-set. The caller
then escalates with `bot.chat.escalation.escalate`, which sends the advice into the chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.chat.escalation import mark_advised
from bot.domain.models import CheckIn, CheckInRecord, Profile
from bot.domain.triage import Triage, assess_person, triage
from bot.storage.store import Also, ProfileNotFound, Store


@dataclass(frozen=True)
class Entry:
    """A check-in to save: when, for which plan date, the warning signs just reported, and how
    to build it from the profile and the stored history."""

    at: datetime
    local_date: date
    signs: Sequence[str]
    build: Callable[[Profile, Sequence[CheckInRecord]], CheckIn | None]


@dataclass(frozen=True)
class SavedCheckIn:
    """The profile after the save, the triage of the new check-in, and whether the date
    already had one (then this one replaces its answers)."""

    profile: Profile
    checkin: CheckIn
    result: Triage
    again: bool


async def save_checkin(
    store: Store,
    user_id: int,
    entry: Entry,
    *,
    if_flow: str | None = None,
) -> SavedCheckIn | None:
    """Assess and store the check-in `entry` builds from the profile and the history; None
    when it builds none (incomplete answers). ProfileNotFound without a profile, FlowChanged
    when `if_flow` names a conversation that is over."""
    # One round trip's wait for the four reads, not four: a tap should feel instant.
    profile, history, reports, episodes = await asyncio.gather(
        store.get_profile(user_id),
        store.list_checkins(user_id),
        store.list_reports(user_id),
        store.list_episodes(user_id),
    )
    if profile is None:
        raise ProfileNotFound(user_id)
    checkin = entry.build(profile, history)
    if checkin is None:
        return None
    record = CheckInRecord(at=entry.at, local_date=entry.local_date, checkin=checkin)
    assessment = assess_person([r.checkin for r in history] + [checkin], reports, episodes)
    result = triage(assessment, profile.advised_reasons, entry.signs)
    saving = Also(checkin=record, clear_flow=if_flow is not None, if_flow=if_flow)
    saved = await store.update_profile(user_id, mark_advised(result), also=saving)
    again = _has_date(history, record.local_date)
    return SavedCheckIn(profile=saved, checkin=checkin, result=result, again=again)


def _has_date(history: Sequence[CheckInRecord], local_date: date) -> bool:
    return any(r.local_date == local_date for r in history)
