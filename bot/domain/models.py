"""The domain's data: a person's profile, one check-in, and a red-flag assessment.

Conversations in progress are in bot/domain/flows.py."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

PROFILE_SCHEMA_VERSION: Final = 1


class TwitchLocation(StrEnum):
    EYELID = "eyelid"
    CHEEK = "cheek"
    MOUTH = "mouth"
    CHIN = "chin"
    MULTIPLE_FACE_AREAS = "multiple_face_areas"
    OTHER_BODY_PART = "other_body_part"


class Duration(StrEnum):
    """How long the worst episode lasted; declared from shortest to longest."""

    SECONDS = "seconds"
    MINUTES = "minutes"
    CONSTANT = "constant"

    @property
    def rank(self) -> int:
        return list(Duration).index(self)


class CheckIn(BaseModel):
    """One day's answers, exactly the fields of ARCHITECTURE §4."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: int = Field(ge=0)  # 0: checked in the day before day 1 (it can be the baseline)
    twitch_location: TwitchLocation
    episodes_per_day: int = Field(ge=0)
    worst_duration: Duration
    painful: bool = False
    spreading: bool = False
    drooping: bool = False
    cannot_close_eye: bool = False
    slurred_speech: bool = False
    sudden_weakness_or_numbness: bool = False
    confusion: bool = False
    vision_change: bool = False
    eye_redness_or_discharge: bool = False
    # The eyelid closes completely with the twitch, or is hard to open (AAO, Mayo Clinic).
    eyelid_clamps_shut: bool = False
    days_since_onset: int = Field(ge=0)
    sleep_hours: float = Field(ge=0, le=24, allow_inf_nan=False)
    caffeine_drinks: int = Field(ge=0)
    stress_level: int = Field(ge=1, le=5)


WARNING_SIGN_FIELDS: tuple[str, ...] = (
    "painful",
    "spreading",
    "drooping",
    "cannot_close_eye",
    "slurred_speech",
    "sudden_weakness_or_numbness",
    "confusion",
    "vision_change",
    "eye_redness_or_discharge",
    # Last: stored check-ins and /urgent buttons keep the signs as a bitmask in this order, so a
    # new sign goes at the end and older rows read it as False.
    "eyelid_clamps_shut",
)


def _known_signs(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(value) - set(WARNING_SIGN_FIELDS)
    if unknown:
        raise ValueError(f"unknown warning signs: {sorted(unknown)}")
    return value


# Warning signs by their CheckIn field names.
Signs = Annotated[tuple[str, ...], AfterValidator(_known_signs)]


class Level(StrEnum):
    """Triage levels, declared from least to most serious."""

    NONE = "none"
    SEE_DOCTOR = "see_doctor"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Reason(StrEnum):
    """Stable ids for every red-flag reason; content has a message for each."""

    SLURRED_SPEECH = "slurred_speech"
    DROOPING = "drooping"
    SUDDEN_WEAKNESS_OR_NUMBNESS = "sudden_weakness_or_numbness"
    CONFUSION = "confusion"
    VISION_CHANGE = "vision_change"
    SPREADING = "spreading"
    MULTIPLE_FACE_AREAS = "multiple_face_areas"
    OTHER_BODY_PART = "other_body_part"
    SEVERAL_LOCATIONS = "several_locations"
    PAINFUL = "painful"
    CONSTANT = "constant"
    CANNOT_CLOSE_EYE = "cannot_close_eye"
    EYELID_CLAMPS_SHUT = "eyelid_clamps_shut"
    EYE_REDNESS_OR_DISCHARGE = "eye_redness_or_discharge"
    LASTING_OVER_TWO_WEEKS = "lasting_over_two_weeks"
    NOT_IMPROVING = "not_improving"

    @property
    def level(self) -> Level:
        return Level.EMERGENCY if self in EMERGENCY_REASONS else Level.SEE_DOCTOR


EMERGENCY_REASONS: frozenset[Reason] = frozenset(
    {
        Reason.SLURRED_SPEECH,
        Reason.DROOPING,
        Reason.SUDDEN_WEAKNESS_OR_NUMBNESS,
        Reason.CONFUSION,
        Reason.VISION_CHANGE,
    }
)


class Assessment(BaseModel):
    """The red-flag checker's verdict: the highest level reached, and why."""

    model_config = ConfigDict(frozen=True)

    level: Level = Level.NONE
    reasons: tuple[Reason, ...] = ()


def _valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


ZoneName = Annotated[str, AfterValidator(_valid_zone)]


class Status(StrEnum):
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    STOPPED = "stopped"
    INACTIVE = "inactive"  # blocked the bot


class Pause(BaseModel):
    """Local dates that do not count: [first_day, until); until is None while still paused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_day: date
    until: date | None = None


class Snooze(BaseModel):
    """A nudge the person asked to see again later the same day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    local_date: date
    until: datetime


class Profile(BaseModel):
    """A person's enrolment and settings; stored as one versioned JSON document."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = PROFILE_SCHEMA_VERSION
    version: int = Field(default=0, ge=0)
    user_id: int
    chat_id: int
    locale: str = "en"
    status: Status = Status.ONBOARDING
    consent_at: datetime
    zone: ZoneName | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")  # ISO 3166 alpha-2
    wake_time: time | None = None
    bedtime: time | None = None
    onset_date: date | None = None
    start_date: date | None = None
    pauses: tuple[Pause, ...] = ()
    emergency_hold: bool = False
    advised_reasons: tuple[Reason, ...] = ()
    snooze: Snooze | None = None

    @field_validator("consent_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("consent_at must be timezone-aware")
        return value


class CheckInRecord(BaseModel):
    """A stored check-in with when it was made, for timelines and exports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    local_date: date
    checkin: CheckIn


class SignReport(BaseModel):
    """Warning signs reported through /urgent, outside the daily check-in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    local_date: date
    day: int = Field(ge=1)
    signs: Signs = ()
