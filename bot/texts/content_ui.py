"""The model for `ui.yaml`: every string the bot says outside the plan, check-in and guides."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidatorFunctionWrapHandler, field_validator

from bot.texts.content_text import (
    CAPTION,
    MESSAGE,
    PHRASE,
    TOAST,
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

# --- ui.yaml: insight (the /progress chart, trigger patterns, the week's summary, the PDF) ------


class Durations(ContentModel):
    """How long the longest episode lasted, as a word inside a sentence or the chart."""

    seconds: Phrase
    minutes: Phrase
    constant: Phrase


class Factors(ContentModel):
    """The trigger factors compared, as filled in for {factor}."""

    caffeine: Phrase
    short_sleep: Phrase
    stress: Phrase


class Doctors(ContentModel):
    """Which kind of doctor to see, as filled in for {doctors}."""

    gp: Phrase
    eye: Phrase


class PdfColumns(ContentModel):
    """The PDF timeline table's column headings."""

    date: Phrase
    day: Phrase
    location: Phrase
    episodes: Phrase
    longest: Phrase
    sleep: Phrase
    caffeine: Phrase
    stress: Phrase
    signs: Phrase


class PdfTrends(ContentModel):
    """The week's change as one word or phrase in the PDF's trend line (keys: insight.Change)."""

    improved: Phrase
    same: Phrase
    no_twitching: Phrase
    worse: Phrase


class PdfBands(ContentModel):
    """The bands of the day the PDF counts logged episodes in (report_facts.HOUR_BANDS)."""

    night: Phrase
    morning: Phrase
    afternoon: Phrase
    evening: Phrase


class PdfBefore(ContentModel):
    """What came just before a logged episode, as the PDF lists it (keys: episodes.Before)."""

    caffeine: Phrase
    screens: Phrase
    stress: Phrase
    tiredness: Phrase
    alcohol: Phrase
    nothing: Phrase


_DAY_FACTS = ("date", "day", "episodes", "sleep", "caffeine", "stress")
_PATTERN = ("factor", "mean_with", "mean_without", "days_with", "days_without")


class InsightUi(ContentModel):
    """Strings of the insight feature; chart and PDF ones are plain text without emoji."""

    chart_title: Phrase
    chart_episodes_axis: Phrase
    chart_sleep_axis: Phrase
    chart_caffeine_axis: Phrase
    chart_day: Annotated[str, Text(PHRASE, need=("day",))]
    chart_paused: Phrase
    chart_no_checkin: Phrase
    chart_red_flag: Phrase
    chart_exercises: Phrase
    chart_longest: Phrase
    durations: Durations
    caption_header: Annotated[str, Text(CAPTION, need=("first", "last"))]
    caption_day: Annotated[str, Text(CAPTION, need=_DAY_FACTS)]
    caption_no_checkin: Annotated[str, Text(CAPTION, need=("date", "day"))]
    caption_paused: Annotated[str, Text(CAPTION, need=("date",))]
    caption_red_flag: Caption
    caption_more: Caption
    episodes: Annotated[str, Text(PHRASE, need=("count", "duration"))]
    no_episodes: Phrase
    patterns_header: Message
    factors: Factors
    pattern_more: Annotated[str, Text(MESSAGE, need=_PATTERN)]
    pattern_fewer: Annotated[str, Text(MESSAGE, need=_PATTERN)]
    pattern_same: Annotated[str, Text(MESSAGE, "days_with", "days_without", need=_PATTERN[:3])]
    pattern_not_enough: Annotated[
        str, Text(MESSAGE, "mean_with", "mean_without", need=("factor", *_PATTERN[3:]))
    ]
    patterns_note: Message
    changed_header: Annotated[str, Text(MESSAGE, need=("first_day", "last_day"))]
    changed_day: Annotated[str, Text(MESSAGE, need=_DAY_FACTS)]
    changed_none: Message
    steps_header: Annotated[str, Text(MESSAGE, need=("done", "total"))]
    step_done: Annotated[str, Text(MESSAGE, need=("day", "title"))]
    step_missed: Annotated[str, Text(MESSAGE, need=("day", "title"))]
    red_flags_header: Message
    red_flag_line: Annotated[str, Text(MESSAGE, need=("date", "day", "answers"))]
    red_flag_urgent: Phrase
    red_flags_none: Message
    advice_header: Message
    next_header: Message
    next_keep: Message
    next_doctor: Annotated[str, Text(MESSAGE, need=("doctors",))]
    next_emergency: Annotated[str, Text(MESSAGE, need=("number",))]
    doctors: Doctors
    doctors_joiner: Phrase
    pdf_title: Phrase
    pdf_onset: Annotated[str, Text(PHRASE, need=("onset", "days_since_onset"))]
    pdf_onset_unknown: Phrase
    pdf_period: Annotated[str, Text(PHRASE, need=("first", "last", "start"))]
    pdf_unknown: Phrase
    pdf_trend: Annotated[str, Text(PHRASE, need=("first_day", "last_day", "trend"))]
    pdf_trends: PdfTrends
    pdf_trend_none: Phrase
    pdf_signs_title: Phrase
    pdf_sign_yes: Annotated[str, Text(PHRASE, need=("date",))]
    pdf_sign_yes_many: Annotated[str, Text(PHRASE, need=("count", "first", "last"))]
    pdf_sign_no: Phrase
    pdf_advice_title: Phrase
    pdf_advice_none: Phrase
    pdf_days_title: Phrase
    pdf_columns: PdfColumns
    pdf_events_title: Phrase
    pdf_events_summary: Annotated[str, Text(PHRASE, need=("count", "answers"))]
    pdf_events_none: Phrase
    pdf_events_earlier: Annotated[str, Text(PHRASE, need=("count",))]
    pdf_events_busy_day: Annotated[str, Text(PHRASE, need=("count", "first", "last"))]
    pdf_bands: PdfBands
    pdf_before: PdfBefore
    pdf_note: Phrase
    pdf_made: Annotated[str, Text(PHRASE, need=("date",))]
    export_pdf_caption: Caption


# --- ui.yaml ----------------------------------------------------------------------------------


class Commands(ContentModel):
    """Descriptions registered with setMyCommands, in menu order."""

    start: Command
    today: Command
    checkin: Command
    twitch: Command
    progress: Command
    pause: Command
    resume: Command
    settings: Command
    language: Command
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
    group_urgent: Annotated[str, Text(MESSAGE, need=("number", "signs"))]
    unknown_text: Message
    unknown_text_no_plan: Message
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
    ask_country: Message
    country_not_found: Annotated[str, Text(MESSAGE, need=("query",))]
    country_skip_button: Button
    country_set: Annotated[str, Text(MESSAGE, need=("country",))]
    country_skipped: Message
    country_not_set: Phrase
    country_hint: Message
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
    stopped_start: Message
    finished_start: Message
    continue_button: Button
    restart_button: Button
    # /today and the daily nudges
    day_header: Annotated[str, Text(MESSAGE, "title", need=("day",))]
    why_button: Button
    checkin_button: Button
    not_enrolled: Message
    still_enrolling: Message
    paused_note: Message
    emergency_hold_note: Message
    safe_thanks: Message
    plan_not_started: Annotated[str, Text(MESSAGE, need=("start_date",))]
    plan_finished: Message
    snooze_button_30: Button
    snooze_button_60: Button
    snoozed: Annotated[str, Text(MESSAGE, need=("time",))]
    sleep_saved: Toast
    sleep_noted: Annotated[str, Text(MESSAGE, need=("answer",))]
    sleep_already_noted: Annotated[str, Text(TOAST, need=("answer",))]
    sleep_earlier_morning: Toast
    # check-in
    checkin_saved: Toast
    checkin_already_today: Message
    checkin_update_button: Button
    checkin_updated: Toast
    checkin_already_saved: Toast
    # /progress
    progress_text: Annotated[str, Text(MESSAGE, "days_done", "checkins", "trend")]
    trend: Trend
    # /pause, /resume
    paused: Message
    already_paused: Message
    resumed: Message
    not_paused: Message
    # /settings
    settings_menu: Annotated[str, Text(MESSAGE, "zone", "wake", "bedtime", "country")]
    settings_zone_button: Button
    settings_country_button: Button
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
    # insight: /progress chart, trigger patterns, week summary, doctor's PDF (insight.py)
    insight: InsightUi
    # the person's language (language.py)
    language_prompt: Message
    language_set: Message
    # operators (admin.py): counts only, never a person's data
    admin_stats: Annotated[str, Text(MESSAGE, need=("scheduled", "lag"))]
    # the Mini App "My diary" (bot/webapp): its buttons in chat, and its friendly errors
    webapp_button: Button
    webapp_eyes_button: Button
    webapp_breathing_button: Button
    webapp_bad_input: Message
    webapp_bad_day: Message
    # People parked after repeated errors, by the pseudonyms the logs use (never an id). A
    # locale's ui.yaml may say it otherwise; until one does, this default is used.
    admin_parked: Annotated[str, Text(MESSAGE, need=("parked", "who"))] = (
        "⏸️ Parked after repeated errors: {parked}\n{who}"
    )

    @field_validator("onset_options", mode="wrap")
    @classmethod
    def _unique(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return validate_with(handler, value, duplicate_ids(dicts(value), ()))
