"""Conversations in progress: one typed model per flow, stored as JSON in `u:{id}:flow`.

Each flow is its own model in a union told apart by `kind`, so a step is a member of that
flow's enum and every answer has its own typed field (a `time`, a `date`, an enum), never a
string to parse again. `nonce` goes into every button of the flow's message, so a button of an
older or abandoned flow is recognised as stale. Documents written before these models existed
(one loose `Flow` with an `answers` dict) still load; anything else unreadable counts as no
flow at all, and the person gets the "this button has expired" path (ARCHITECTURE §6, §7).
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from bot.domain.models import Duration, Signs, TwitchLocation, ZoneName


class FlowKind(StrEnum):
    ENROL = "enrol"
    CHECKIN = "checkin"
    SETTINGS = "settings"


class EnrolStep(StrEnum):
    ZONE = "zone"
    COUNTRY = "country"  # only when the place does not make it certain
    WAKE = "wake"
    BED = "bed"
    ONSET = "onset"


class SettingsStep(StrEnum):
    MENU = "menu"
    ZONE = "zone"
    COUNTRY = "country"
    WAKE = "wake"
    BED = "bed"


class CheckinStep(StrEnum):
    """The check-in's steps; `content/<locale>/checkin.yaml` words them, in its own order."""

    WHERE = "where"
    COUNT = "count"
    LONGEST = "longest"
    SLEEP = "sleep"
    COFFEE = "coffee"
    STRESS = "stress"
    SIGNS = "signs"


class FlowBase(BaseModel):
    """What every flow has: the nonce of its buttons, and the message that asked last."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nonce: str = Field(pattern=r"^[A-Za-z0-9]{1,8}$")
    message_id: int | None = None

    def replaced(self, **changes: Any) -> Self:
        """A copy with these changes, validated: a misspelt field or a wrong type raises."""
        return self.model_validate({**self.model_dump(), **changes})

    @model_validator(mode="before")
    @classmethod
    def _untyped(cls, data: Any) -> Any:
        # Every document of the untyped model has "options" (it stored its defaults too).
        if isinstance(data, dict) and "options" in data:
            return cls._from_untyped(data)
        return data

    @classmethod
    def _from_untyped(cls, old: dict[str, Any]) -> dict[str, Any]:
        return {key: old[key] for key in ("kind", "step", "nonce", "message_id") if key in old}


class EnrolFlow(FlowBase):
    """Enrolment's answers so far; they become the profile at the last step."""

    kind: Literal[FlowKind.ENROL] = FlowKind.ENROL
    step: EnrolStep = EnrolStep.ZONE
    zone: ZoneName | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")  # ISO 3166 alpha-2
    wake_time: time | None = None
    bedtime: time | None = None

    @classmethod
    def _from_untyped(cls, old: dict[str, Any]) -> dict[str, Any]:
        answers = old.get("answers") or {}
        return {
            **super()._from_untyped(old),
            "zone": answers.get("zone") or None,
            "country": answers.get("country") or None,
            "wake_time": answers.get("wake"),  # "07:00", as the old model stored times
            "bedtime": answers.get("bed"),
        }


class SettingsFlow(FlowBase):
    """/settings: the menu, or the one question it is asking."""

    kind: Literal[FlowKind.SETTINGS] = FlowKind.SETTINGS
    step: SettingsStep = SettingsStep.MENU


class CheckinAnswers(BaseModel):
    """The check-in's questions answered so far, each in its CheckIn field's type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    twitch_location: TwitchLocation | None = None
    episodes_per_day: int | None = None
    worst_duration: Duration | None = None
    sleep_hours: float | None = None
    caffeine_drinks: int | None = None
    stress_level: int | None = None

    def with_answer(self, field: str, value: object) -> CheckinAnswers:
        """These answers and one more; raises ValidationError if `field` cannot hold `value`."""
        return CheckinAnswers.model_validate({**self.model_dump(), field: value})


def _answer_fields(fields: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(fields) - set(CheckinAnswers.model_fields)
    if unknown:
        raise ValueError(f"not answers of the check-in: {sorted(unknown)}")
    return fields


class CheckinFlow(FlowBase):
    """One day's check-in, question by question; `prefilled` were answered elsewhere (the
    morning's "how did you sleep?") and are not asked again."""

    kind: Literal[FlowKind.CHECKIN] = FlowKind.CHECKIN
    step: CheckinStep
    local_date: date
    day: int = Field(ge=0)
    answers: CheckinAnswers = CheckinAnswers()
    prefilled: tuple[str, ...] = ()
    signs: Signs = ()  # ticked so far

    _known_prefilled = field_validator("prefilled")(_answer_fields)

    @classmethod
    def _from_untyped(cls, old: dict[str, Any]) -> dict[str, Any]:
        keep = ("local_date", "day", "answers", "signs")
        return {
            **super()._from_untyped(old),
            **{key: old[key] for key in keep if key in old},
            "prefilled": old.get("options") or (),
        }


Flow = Annotated[EnrolFlow | CheckinFlow | SettingsFlow, Field(discriminator="kind")]
FLOWS: TypeAdapter[Flow] = TypeAdapter(Flow)
