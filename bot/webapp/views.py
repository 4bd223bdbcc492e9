"""The JSON the page reads: the week, the answer choices and advice, in the person's language."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.chat.escalation import emergency_text, see_doctor_text
from bot.domain.country import country_of
from bot.domain.diary import DiaryDay
from bot.domain.models import Assessment, Level, Profile, Status
from bot.domain.triage import Triage
from bot.texts.content import Content, Question
from bot.texts.formats import short_date

# The check-in questions whose answers the page offers as choices.
CHOICE_FIELDS = ("twitch_location", "worst_duration")


def status_of(profile: Profile | None) -> str:
    if profile is None:
        return "none"
    if profile.status is Status.ACTIVE and profile.start_date is None:
        return "onboarding"
    return {
        Status.ACTIVE: "active",
        Status.PAUSED: "paused",
        Status.ONBOARDING: "onboarding",
    }.get(profile.status, "finished")


def sign_labels(content: Content) -> dict[str, str]:
    return {t.field: t.label for t in content.checkin.warning_signs.toggles}


def day_json(content: Content, row: DiaryDay) -> dict[str, Any]:
    labels = sign_labels(content)
    return {
        "day": row.day,
        "date": row.local_date.isoformat(),
        "date_label": short_date(row.local_date, content.locale),
        "checkin": row.checkin.model_dump(mode="json") if row.checkin else None,
        "signs": [{"code": s, "label": labels.get(s, s)} for s in row.signs],
        "episodes": row.episodes,
        "exercises": list(row.exercises),
    }


def choices_json(content: Content) -> dict[str, Any]:
    questions = {step.field: step for step in content.checkin.steps if isinstance(step, Question)}
    choices: dict[str, Any] = {
        field: [
            {"id": str(answer.value), "label": answer.label} for answer in questions[field].answers
        ]
        for field in CHOICE_FIELDS
        if field in questions
    }
    choices["signs"] = [{"code": c, "label": label} for c, label in sign_labels(content).items()]
    return choices


def advice_json(
    content: Content, profile: Profile, result: Triage, signs: Collection[str] = ()
) -> dict[str, str] | None:
    """What `escalate` says in the chat about `result`, as the page shows it: the emergency
    message, else see-doctor advice for the new reasons; None when the chat says nothing."""
    local = content.local(country_of(profile))
    if result.emergency_now:
        html = emergency_text(local, profile, result, signs)
        return {"level": Level.EMERGENCY.value, "html": html}
    if not result.new_doctor_reasons:
        return None
    return {
        "level": Level.SEE_DOCTOR.value,
        "html": see_doctor_text(local, result.new_doctor_reasons),
    }


def standing_advice(
    content: Content, profile: Profile, assessment: Assessment
) -> dict[str, str] | None:
    """Everything the person's answers call for, as if none had been advised yet."""
    emergency = assessment.level is Level.EMERGENCY
    return advice_json(content, profile, Triage(assessment, assessment.reasons, emergency))
