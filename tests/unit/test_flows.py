"""The typed conversation flows: what validation accepts and rejects."""

from __future__ import annotations

from datetime import date, time

import pytest
from pydantic import ValidationError

from bot.domain.flows import (
    FLOWS,
    CheckinAnswers,
    CheckinFlow,
    CheckinStep,
    EnrolFlow,
    EnrolStep,
    Flow,
    SettingsFlow,
    SettingsStep,
)
from bot.domain.models import Duration, TwitchLocation

FLOWS_OF_EVERY_KIND: list[Flow] = [
    EnrolFlow(
        nonce="ab12",
        step=EnrolStep.ONSET,
        zone="Asia/Bangkok",
        country="TH",
        wake_time=time(6, 30),
        bedtime=time(0, 30),
    ),
    CheckinFlow(
        nonce="cd34",
        message_id=7,
        step=CheckinStep.SIGNS,
        local_date=date(2026, 3, 20),
        day=1,
        answers=CheckinAnswers(
            twitch_location=TwitchLocation.EYELID,
            episodes_per_day=0,
            worst_duration=Duration.SECONDS,
            sleep_hours=6.5,
        ),
        prefilled=("sleep_hours",),
        signs=("painful",),
    ),
    SettingsFlow(nonce="ef56", step=SettingsStep.BED),
]


@pytest.mark.parametrize("flow", FLOWS_OF_EVERY_KIND, ids=lambda f: f.kind)
def test_every_kind_comes_back_as_itself_with_typed_values(flow: Flow) -> None:
    assert FLOWS.validate_json(flow.model_dump_json()) == flow


@pytest.mark.parametrize(
    "document",
    [
        {"kind": "enrol", "step": "wkae", "nonce": "ab12"},  # a misspelt step
        {"kind": "settings", "step": "onset", "nonce": "ab12"},  # another flow's step
        {"kind": "checkin", "step": "menu", "nonce": "ab12", "local_date": "2026-03-20", "day": 1},
        {"kind": "enrl", "step": "zone", "nonce": "ab12"},  # a misspelt kind
        {"kind": "urgent", "step": "signs", "nonce": "ab12"},  # never a stored conversation
        {"kind": "enrol", "step": "bed", "nonce": "ab12", "wake_time": "7 o'clock"},
        {"kind": "enrol", "step": "zone", "nonce": "ab12", "zone": "Mars/Olympus"},
        {
            "kind": "checkin",
            "step": "signs",
            "nonce": "ab12",
            "local_date": "2026-03-20",
            "day": 1,
            "signs": ["itchy"],
        },
        {
            "kind": "checkin",
            "step": "signs",
            "nonce": "ab12",
            "local_date": "2026-03-20",
            "day": 1,
            "prefilled": ["painful"],
        },
        {"kind": "checkin", "step": "where", "nonce": "ab12"},  # no date: whose day?
    ],
)
def test_a_document_that_is_no_flow_is_rejected(document: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FLOWS.validate_python(document)


def test_a_copy_with_a_misspelt_or_mistyped_field_is_rejected() -> None:
    flow = EnrolFlow(nonce="ab12")
    assert flow.replaced(wake_time=time(7)).wake_time == time(7)
    with pytest.raises(ValidationError):
        flow.replaced(wake=time(7))
    with pytest.raises(ValidationError):
        flow.replaced(step="wkae")


def test_an_answer_must_fit_its_field() -> None:
    answers = CheckinAnswers().with_answer("twitch_location", "cheek")
    assert answers.twitch_location is TwitchLocation.CHEEK
    with pytest.raises(ValidationError):
        answers.with_answer("twitch_location", "forehead")
    with pytest.raises(ValidationError):
        answers.with_answer("painful", True)  # a warning sign is ticked, not answered
