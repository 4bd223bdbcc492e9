"""Pydantic models for the files in `content/<locale>/` (all but ui.yaml).

Unknown keys fail (`extra="forbid"`); cross-field rules raise every problem at its own key.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, cast

from pydantic import (
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from bot.domain.flows import CheckinAnswers, CheckinStep
from bot.domain.models import EMERGENCY_REASONS, WARNING_SIGN_FIELDS, CheckIn, Reason
from bot.texts.content_text import (
    BUTTON,
    MESSAGE,
    Button,
    ContentModel,
    Message,
    Phrase,
    Problem,
    ShortId,
    Text,
    dicts,
    duplicate_ids,
    validate_with,
)
from bot.texts.telegram_html import visible_text

# --- plan.yaml --------------------------------------------------------------------------------

PLAN_DAYS = 7


class PlanDay(ContentModel):
    title: Phrase
    morning: Message  # sent at wake time
    evening: Message  # sent about an hour before bedtime
    why: Message


class Summary(ContentModel):
    """The end-of-plan message, assembled by the bot from these parts."""

    header: Annotated[str, Text(MESSAGE, "days_done", "checkins")]
    improved: Message
    same: Message
    no_twitching: Message  # "same" when there was no twitching at either end
    worse: Message
    not_enough_data: Message
    see_doctor: Message  # followed by the see-doctor lines for every reason found
    keep_going: Message
    follow_up_note: Message


class FollowUp(ContentModel):
    day_15: Annotated[str, Text(MESSAGE, "days_since_onset")]
    day_21: Annotated[str, Text(MESSAGE, "days_since_onset")]
    checkin_button: Button
    settled: Message  # the follow-up check-in says the twitching has stopped


class Plan(ContentModel):
    days: dict[int, PlanDay]
    summary: Summary
    follow_up: FollowUp

    def day(self, number: int) -> PlanDay:
        """The plan day `number` (1..7)."""
        return self.days[number]

    @field_validator("days", mode="wrap")
    @classmethod
    def _exact_days(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        days = validate_with(handler, value, _day_problems(value))
        return dict(sorted(days.items()))


def _day_problems(value: object) -> list[Problem]:
    if not isinstance(value, dict):
        return []
    numbers = {int(k): k for k in value if isinstance(k, int) or str(k).isdigit()}
    wanted = set(range(1, PLAN_DAYS + 1))
    problems: list[Problem] = [
        ((numbers[n],), f"unexpected day; the plan has days 1 to {PLAN_DAYS}")
        for n in sorted(set(numbers) - wanted)
    ]
    return problems + [((), f"day {n} is missing") for n in sorted(wanted - set(numbers))]


# --- checkin.yaml -----------------------------------------------------------------------------

AnswerValue = bool | int | float | str
# Filled in by the bot, never asked.
COMPUTED_FIELDS: frozenset[str] = frozenset({"day", "days_since_onset"})
# What questions may ask: a check-in in progress keeps these (bot/domain/flows.py); the warning
# signs are ticked in their own step.
_ANSWERS: frozenset[str] = frozenset(CheckinAnswers.model_fields)


@cache
def _field_adapter(field: str) -> TypeAdapter[Any]:
    """Validates one CheckIn field's value, with its constraints (ge, le, ...)."""
    info = CheckIn.model_fields[field]
    annotation = cast(Any, info.annotation)
    if not info.metadata:
        return TypeAdapter(annotation)
    return TypeAdapter(cast(Any, Annotated[annotation, *info.metadata]))


def field_value_problem(field: str, value: object) -> str | None:
    """Why `value` cannot be stored in CheckIn.`field`, or None if it can."""
    if field not in CheckIn.model_fields:
        return f"CheckIn has no field {field!r}"
    try:
        _field_adapter(field).validate_python(value)
    except ValidationError as exc:
        return f"{value!r} is not valid for CheckIn.{field}: {exc.errors()[0]['msg']}"
    return None


class Answer(ContentModel):
    id: ShortId
    label: Button
    value: AnswerValue


class Question(ContentModel):
    """A single-choice question whose answer is stored in CheckIn.`field`."""

    id: ShortId
    field: str
    prompt: Message
    answers: list[Answer]
    skip_when_no_episodes: bool = False
    value_if_skipped: AnswerValue | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _values_fit_field(cls, data: Any, handler: ModelWrapValidatorHandler[Question]) -> Question:
        return validate_with(handler, data, _question_problems(data))

    def value(self, answer_id: str) -> AnswerValue:
        """The CheckIn value stored for the answer `answer_id` (KeyError if unknown)."""
        for answer in self.answers:
            if answer.id == answer_id:
                return answer.value
        raise KeyError(answer_id)

    def answer_with(self, value: object) -> Answer | None:
        """The answer whose stored value is `value` (e.g. hours kept from a tap), if any."""
        return next((answer for answer in self.answers if answer.value == value), None)


def _question_problems(data: object) -> list[Problem]:
    field = data.get("field") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(field, str):
        return []  # pydantic reports the shape
    if field not in CheckIn.model_fields:
        return [(("field",), f"CheckIn has no field {field!r}")]
    answers = dicts(data.get("answers"))
    problems: list[Problem] = [
        (("answers", i, "value"), message)
        for i, answer in answers
        if "value" in answer and (message := field_value_problem(field, answer["value"]))
    ]
    return problems + duplicate_ids(answers, ("answers",)) + _skip_problems(data, field)


def _skip_problems(data: dict[str, Any], field: str) -> list[Problem]:
    if data.get("skip_when_no_episodes") is not True:
        return []
    if data.get("value_if_skipped") is None:
        return [(("value_if_skipped",), "required when skip_when_no_episodes is true")]
    message = field_value_problem(field, data["value_if_skipped"])
    return [] if message is None else [(("value_if_skipped",), message)]


class CheckinQuestion(Question):
    """A question of the daily check-in: its id is one of the check-in's steps."""

    id: CheckinStep  # narrower than Question's ShortId


class Toggle(ContentModel):
    id: ShortId
    field: str
    label: Button


class WarningSigns(ContentModel):
    """The final multi-select step: one toggle per warning-sign bool of CheckIn."""

    id: CheckinStep
    kind: Literal["multi"] = "multi"
    prompt: Message
    toggles: list[Toggle]
    none_label: Button
    done_label: Button
    checked_mark: Annotated[str, Text(BUTTON)]
    unchecked_mark: Annotated[str, Text(BUTTON)]

    @model_validator(mode="wrap")
    @classmethod
    def _covers_every_sign(
        cls, data: Any, handler: ModelWrapValidatorHandler[WarningSigns]
    ) -> WarningSigns:
        return validate_with(handler, data, _toggle_problems(data))


def _toggle_problems(data: object) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("toggles"), list):
        return []
    toggles = dicts(data["toggles"])
    fields = [toggle.get("field") for _, toggle in toggles]
    problems: list[Problem] = [
        (("toggles", i, "field"), f"{toggle.get('field')!r} is not a warning sign of CheckIn")
        for i, toggle in toggles
        if toggle.get("field") not in WARNING_SIGN_FIELDS
    ]
    problems += [
        (("toggles",), f"no toggle for the warning sign {field!r}")
        for field in WARNING_SIGN_FIELDS
        if field not in fields
    ]
    return problems + duplicate_ids(toggles, ("toggles",))


class Tips(ContentModel):
    """Advice after a check-in; sleep, caffeine and stress never escalate, they feed these."""

    short_sleep: Message
    caffeine: Message
    stress: Message
    no_episodes: Message


class CheckinContent(ContentModel):
    intro: Message
    progress: Annotated[str, Text(MESSAGE, need=("number", "total"))]
    done: Message
    done_evening: Message  # added to `done` in the person's evening and night
    done_emergency: Annotated[str, Text(MESSAGE, need=("number",))]
    questions: list[CheckinQuestion]
    warning_signs: WarningSigns
    morning_sleep: Question
    tips: Tips

    @property
    def steps(self) -> tuple[CheckinQuestion | WarningSigns, ...]:
        """Every step of the daily check-in in order: the questions, then the warning signs."""
        return (*self.questions, self.warning_signs)

    def step(self, step_id: CheckinStep) -> CheckinQuestion | WarningSigns:
        """The step with this id (KeyError if unknown)."""
        for item in self.steps:
            if item.id == step_id:
                return item
        raise KeyError(step_id)

    @model_validator(mode="wrap")
    @classmethod
    def _collects_every_field(
        cls, data: Any, handler: ModelWrapValidatorHandler[CheckinContent]
    ) -> CheckinContent:
        return validate_with(handler, data, _coverage_problems(data))


def _coverage_problems(data: object) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return []
    questions = dicts(data["questions"])
    asked = [question.get("field") for _, question in questions]
    required = [
        name
        for name, info in CheckIn.model_fields.items()
        if info.is_required() and name not in COMPUTED_FIELDS
    ]
    problems: list[Problem] = [
        (("questions",), f"no question collects the required CheckIn field {name!r}")
        for name in required
        if name not in asked
    ]
    problems += [
        (("questions", i, "field"), f"{question['field']!r} is filled in by the bot, not asked")
        for i, question in questions
        if question.get("field") in COMPUTED_FIELDS
    ]
    problems += [
        (("questions", i, "field"), f"{question['field']!r} is not kept by a check-in in progress")
        for i, question in questions
        if question.get("field") in set(CheckIn.model_fields) - COMPUTED_FIELDS - _ANSWERS
    ]
    return problems + duplicate_ids(questions, ("questions",)) + _other_step_problems(data)


def _other_step_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    signs, sleep = data.get("warning_signs"), data.get("morning_sleep")
    question_ids = {q.get("id") for _, q in dicts(data["questions"])}
    if isinstance(signs, dict) and signs.get("id") in question_ids:
        problems.append((("warning_signs", "id"), "this id is already used by a question"))
    if isinstance(sleep, dict) and sleep.get("field") != "sleep_hours":
        problems.append((("morning_sleep", "field"), "must be 'sleep_hours'"))
    return problems


# --- redflags.yaml ----------------------------------------------------------------------------


class RedFlags(ContentModel):
    emergency: Annotated[str, Text(MESSAGE, need=("number",))]
    unknown_number: Phrase  # used as {number} when the person's country is not known
    emergency_safe_button: Button
    safe_confirmed: Message
    see_doctor_header: Message
    see_doctor: dict[Reason, Message]  # one line per reason, emergency ones included
    # This locale's word (or word stem) for each emergency sign (ARCHITECTURE §4): the footer
    # and the sign's own line must name it, so no translation drops one of the five.
    emergency_signs: dict[Reason, Phrase]
    footer: Message

    @field_validator("emergency_signs")
    @classmethod
    def _the_emergency_signs(cls, value: dict[Reason, str]) -> dict[Reason, str]:
        wrong = sorted(set(value) ^ EMERGENCY_REASONS)
        if wrong:
            names = ", ".join(r.value for r in sorted(EMERGENCY_REASONS))
            raise ValueError(f"must list exactly the emergency signs ({names})")
        return value

    @model_validator(mode="after")
    def _signs_named(self) -> RedFlags:
        footer = visible_text(self.footer).casefold()
        for reason, word in self.emergency_signs.items():
            if word.casefold() not in footer:
                raise ValueError(f"footer: does not name the emergency sign {word!r}")
            if word.casefold() not in visible_text(self.see_doctor[reason]).casefold():
                raise ValueError(f"see_doctor.{reason.value}: does not name {word!r}")
        return self

    @field_validator("see_doctor", mode="wrap")
    @classmethod
    def _every_reason(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        keys = {str(key) for key in value} if isinstance(value, dict) else set(Reason)
        problems: list[Problem] = [
            ((reason.value,), "no message for this red-flag reason")
            for reason in Reason
            if reason.value not in keys
        ]
        return validate_with(handler, value, problems)


# --- faq.yaml, guide.yaml, consent.yaml -------------------------------------------------------


class FaqItem(ContentModel):
    id: ShortId
    question: Button
    answer: Message


class Faq(ContentModel):
    items: list[FaqItem]

    @field_validator("items", mode="wrap")
    @classmethod
    def _unique(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return validate_with(handler, value, duplicate_ids(dicts(value), ()))

    def item(self, item_id: str) -> FaqItem:
        """The FAQ entry with this id (KeyError if unknown)."""
        for entry in self.items:
            if entry.id == item_id:
                return entry
        raise KeyError(item_id)


class GuideSection(ContentModel):
    id: ShortId
    title: Button
    text: Message


class Guide(ContentModel):
    intro: Message
    sections: list[GuideSection]

    @field_validator("sections", mode="wrap")
    @classmethod
    def _unique(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return validate_with(handler, value, duplicate_ids(dicts(value), ()))

    def section(self, section_id: str) -> GuideSection:
        """The guide section with this id (KeyError if unknown)."""
        for entry in self.sections:
            if entry.id == section_id:
                return entry
        raise KeyError(section_id)


class Consent(ContentModel):
    disclaimer: Message
    consent_button: Button
    decline_button: Button
    declined: Message
