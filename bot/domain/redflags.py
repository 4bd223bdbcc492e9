"""Pure red-flag triage over a person's check-ins (ARCHITECTURE §4)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain.models import (
    EMERGENCY_REASONS,
    Assessment,
    CheckIn,
    Duration,
    Level,
    Reason,
    TwitchLocation,
)

# NHS: see a GP if twitching lasts more than 2 weeks; stricter than the article's 3 weeks.
MAX_DAYS_SINCE_ONSET = 14
# The plan day from which "not improving" is judged (the article's day 7 evaluation).
EVALUATION_DAY = 7

_SIGN_REASONS: tuple[tuple[str, Reason], ...] = (
    ("slurred_speech", Reason.SLURRED_SPEECH),
    ("drooping", Reason.DROOPING),
    ("sudden_weakness_or_numbness", Reason.SUDDEN_WEAKNESS_OR_NUMBNESS),
    ("confusion", Reason.CONFUSION),
    ("vision_change", Reason.VISION_CHANGE),
    ("spreading", Reason.SPREADING),
    ("painful", Reason.PAINFUL),
    ("cannot_close_eye", Reason.CANNOT_CLOSE_EYE),
    ("eyelid_clamps_shut", Reason.EYELID_CLAMPS_SHUT),
    ("eye_redness_or_discharge", Reason.EYE_REDNESS_OR_DISCHARGE),
)

_LOCATION_REASONS: dict[TwitchLocation, Reason] = {
    TwitchLocation.MULTIPLE_FACE_AREAS: Reason.MULTIPLE_FACE_AREAS,
    TwitchLocation.OTHER_BODY_PART: Reason.OTHER_BODY_PART,
}


def assess(checkins: Sequence[CheckIn]) -> Assessment:
    """Return the highest level reached over the check-ins (in date order) and every reason."""
    found: list[Reason] = []
    for index, checkin in enumerate(checkins):
        found.extend(_reasons_for(checkin, checkins[:index]))
    if _distinct_twitching_locations(checkins) > 1:
        found.append(Reason.SEVERAL_LOCATIONS)
    reasons = _ordered_unique(found)
    level = max((r.level for r in reasons), key=lambda lv: lv.rank, default=Level.NONE)
    return Assessment(level=level, reasons=reasons)


def _reasons_for(checkin: CheckIn, earlier: Sequence[CheckIn]) -> list[Reason]:
    reasons = [reason for field, reason in _SIGN_REASONS if getattr(checkin, field)]
    if checkin.twitch_location in _LOCATION_REASONS:
        reasons.append(_LOCATION_REASONS[checkin.twitch_location])
    if checkin.worst_duration is Duration.CONSTANT:
        reasons.append(Reason.CONSTANT)
    if checkin.episodes_per_day > 0 and checkin.days_since_onset > MAX_DAYS_SINCE_ONSET:
        reasons.append(Reason.LASTING_OVER_TWO_WEEKS)
    if _not_improving(checkin, earlier):
        reasons.append(Reason.NOT_IMPROVING)
    return reasons


def _not_improving(checkin: CheckIn, earlier: Sequence[CheckIn]) -> bool:
    if checkin.day < EVALUATION_DAY:
        return False
    baseline = next((c for c in earlier if c.day < checkin.day), None)
    if baseline is None:
        return False
    return not is_improving(baseline, checkin)


def is_improving(baseline: CheckIn, later: CheckIn) -> bool:
    """Improving: no episodes, or fewer with no longer duration, or no more with a shorter one."""
    if later.episodes_per_day == 0:
        return True
    fewer = later.episodes_per_day < baseline.episodes_per_day
    no_more = later.episodes_per_day <= baseline.episodes_per_day
    shorter = later.worst_duration.rank < baseline.worst_duration.rank
    no_longer = later.worst_duration.rank <= baseline.worst_duration.rank
    return (fewer and no_longer) or (no_more and shorter)


def _distinct_twitching_locations(checkins: Iterable[CheckIn]) -> int:
    return len({c.twitch_location for c in checkins if c.episodes_per_day > 0})


def _ordered_unique(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    """Emergency reasons first, then in the order they were first seen."""
    unique = list(dict.fromkeys(reasons))
    return tuple(sorted(unique, key=lambda r: r not in EMERGENCY_REASONS))
