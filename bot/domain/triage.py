"""What the red-flag checker's verdict means for one person right now (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.episodes import Episode
from bot.domain.models import (
    Assessment,
    CheckIn,
    Duration,
    Level,
    Reason,
    SignReport,
    TwitchLocation,
)
from bot.domain.redflags import assess


@dataclass(frozen=True)
class Triage:
    """The overall assessment and which of its reasons are new to this person."""

    assessment: Assessment
    new_reasons: tuple[Reason, ...]
    emergency_now: bool

    @property
    def new_doctor_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.new_reasons if r.level is Level.SEE_DOCTOR)


def report_as_checkin(report: SignReport) -> CheckIn:
    """A sign report as a check-in with no twitching, so only the signs themselves count."""
    return CheckIn(
        day=report.day,
        twitch_location=TwitchLocation.EYELID,
        episodes_per_day=0,
        worst_duration=Duration.SECONDS,
        days_since_onset=0,
        sleep_hours=0,
        caffeine_drinks=0,
        stress_level=1,
        **{sign: True for sign in report.signs},
    )


def place_as_checkin(location: TwitchLocation, episodes: int) -> CheckIn:
    """Only where the twitching was: no signs, no duration, no day, so that only the place
    rules (another face area, the body, several places) can fire."""
    return CheckIn(
        day=0,
        twitch_location=location,
        episodes_per_day=episodes,
        worst_duration=Duration.SECONDS,
        days_since_onset=0,
        sleep_hours=0,
        caffeine_drinks=0,
        stress_level=1,
    )


def assess_person(
    checkins: Sequence[CheckIn],
    reports: Sequence[SignReport],
    episodes: Sequence[Episode] = (),
) -> Assessment:
    """Check-ins are assessed as a sequence; /urgent reports add their signs on top; the places
    of logged episodes are assessed with the check-ins' places (several places count across
    both).

    Reports and episodes are assessed apart so that they never become the baseline of the
    "not improving" rule; reports never count as a twitch location.
    """
    located = [e.where for e in episodes if e.where is not None]
    places = [place_as_checkin(c.twitch_location, c.episodes_per_day) for c in checkins]
    places += [place_as_checkin(where, 1) for where in located]
    parts = [
        assess(checkins),
        assess([report_as_checkin(r) for r in reports]),
        assess(places if located else []),
    ]
    reasons = tuple(dict.fromkeys(r for part in parts for r in part.reasons))
    level = max((part.level for part in parts), key=lambda lv: lv.rank)
    ordered = tuple(sorted(reasons, key=lambda r: r.level is not Level.EMERGENCY))
    return Assessment(level=level, reasons=ordered)


def triage(
    assessment: Assessment, advised: Sequence[Reason], latest_signs: Sequence[str]
) -> Triage:
    """New reasons are those never advised before; an emergency sign just reported is urgent
    again even if it was reported before, because it may be a new event."""
    new = tuple(r for r in assessment.reasons if r not in advised)
    emergency_now = any(Reason(s).level is Level.EMERGENCY for s in latest_signs) or any(
        r.level is Level.EMERGENCY for r in new
    )
    return Triage(assessment=assessment, new_reasons=new, emergency_now=emergency_now)
