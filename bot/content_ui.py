"""The model for `ui.yaml`: every string the bot says outside the plan, check-in and guides."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidatorFunctionWrapHandler, field_validator

from bot.content_text import (
    MESSAGE,
    Button,
    Caption,
    Command,
    ContentModel,
    Message,
    Phrase,
    ShortId,
    Text,
    Toast,
    dicts,
    duplicate_ids,
    validate_with,
)

# --- ui.yaml ----------------------------------------------------------------------------------


class Commands(ContentModel):
    """Descriptions registered with setMyCommands, in menu order."""

    start: Command
    today: Command
    checkin: Command
    progress: Command
    pause: Command
    resume: Command
    settings: Command
    export: Command
    delete: Command
    stop: Command
    help: Command
    faq: Command
    urgent: Command


class OnsetOption(ContentModel):
    id: ShortId
    label: Button
    days_ago: int = Field(ge=0)


class Trend(ContentModel):
    """Words filled in as {trend} in progress_text."""

    better: Phrase
    same: Phrase
    worse: Phrase
    not_enough_data: Phrase


class Ui(ContentModel):
    """Every other string the bot says. Each one is required, so a missing key fails loudly."""

    commands: Commands
    help: Message
    guide_button: Button
    faq_button: Button
    urgent_button: Button
    group_refusal: Message
    unknown_text: Message
    unknown_command: Message
    error_generic: Message
    unavailable: Message
    stale_button: Toast
    foreign_button: Toast
    consent_required: Message
    back_button: Button
    # enrolment
    ask_zone: Message
    share_location_button: Button
    zone_suggestions: Annotated[str, Text(MESSAGE, need=("query",))]
    zone_not_found: Annotated[str, Text(MESSAGE, need=("query",))]
    zone_location_failed: Message
    zone_set: Annotated[str, Text(MESSAGE, "zone", "local_time")]
    ask_wake: Message
    ask_bedtime: Message
    invalid_time: Annotated[str, Text(MESSAGE, "text")]
    times_too_close: Message
    ask_onset: Message
    onset_options: list[OnsetOption]
    enrolled_summary: Annotated[
        str, Text(MESSAGE, "zone", "wake", "bedtime", "start_date", "first_day_note")
    ]
    starts_today: Phrase
    starts_tomorrow: Phrase
    already_enrolled: Message
    continue_button: Button
    restart_button: Button
    # /today and the daily nudges
    day_header: Annotated[str, Text(MESSAGE, "title", need=("day",))]
    why_button: Button
    checkin_button: Button
    not_enrolled: Message
    paused_note: Message
    emergency_hold_note: Message
    plan_not_started: Annotated[str, Text(MESSAGE, need=("start_date",))]
    plan_finished: Message
    snooze_button_30: Button
    snooze_button_60: Button
    snoozed: Annotated[str, Text(MESSAGE, need=("time",))]
    sleep_saved: Toast
    # check-in
    checkin_saved: Toast
    checkin_already_today: Message
    checkin_update_button: Button
    checkin_updated: Toast
    # /progress
    progress_text: Annotated[str, Text(MESSAGE, "days_done", "checkins", "trend")]
    trend: Trend
    # /pause, /resume
    paused: Message
    already_paused: Message
    resumed: Message
    not_paused: Message
    # /settings
    settings_menu: Annotated[str, Text(MESSAGE, "zone", "wake", "bedtime")]
    settings_zone_button: Button
    settings_wake_button: Button
    settings_bedtime_button: Button
    settings_done_button: Button
    settings_updated: Message
    settings_closed: Message
    # /stop, /export, /delete
    stop_confirm: Message
    stop_yes: Button
    stop_no: Button
    stopped: Message
    stop_cancelled: Message
    export_caption: Caption
    export_empty: Message
    delete_confirm: Message
    delete_yes: Button
    delete_no: Button
    deleted: Message
    delete_cancelled: Message
    # /faq, /urgent
    faq_intro: Message
    urgent_intro: Message
    urgent_check_button: Button
    urgent_emergency_button: Button
    # data (/export)
    export_csv_caption: Caption
    # settings (/settings)
    wake_too_close: Message
    # check-in and /urgent (checkin.py, urgent.py)
    urgent_none: Message
    # scheduled nudges (nudges.py)
    snooze_too_late: Toast

    @field_validator("onset_options", mode="wrap")
    @classmethod
    def _unique(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return validate_with(handler, value, duplicate_ids(dicts(value), ()))
