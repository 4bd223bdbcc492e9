"""The Mini App's page texts (`content/<locale>/webapp.yaml`): plain phrases the page shows.

One flat mapping, so the JSON API hands it to the page as it is (`model_dump()`); the page fills
in the `{placeholders}` itself.
"""

from __future__ import annotations

from typing import Annotated

from bot.texts.content_text import PHRASE, ContentModel, Phrase, Text


class WebappTexts(ContentModel):
    """Every text of bot/webapp/static/app.js, by the key the page looks up."""

    app_title: Phrase
    loading: Phrase
    tab_week: Phrase
    tab_chart: Phrase
    tab_exercises: Phrase
    tab_settings: Phrase
    week_heading: Phrase
    day_title: Annotated[str, Text(PHRASE, need=("day",))]
    today_badge: Phrase
    no_checkin: Phrase
    where: Phrase
    episodes: Phrase
    longest: Phrase
    habits: Annotated[
        str,
        Text(
            PHRASE,
            need=(
                "sleep",
                "caffeine",
                "stress",
            ),
        ),
    ]
    signs_none: Phrase
    signs_heading: Phrase
    logged: Annotated[str, Text(PHRASE, need=("count",))]
    exercises_done: Phrase
    correct_day: Phrase
    add_checkin: Phrase
    no_profile: Phrase
    chart_heading: Phrase
    edit_heading: Annotated[str, Text(PHRASE, need=("day",))]
    field_location: Phrase
    field_episodes: Phrase
    field_duration: Phrase
    field_signs: Phrase
    field_sleep: Phrase
    field_caffeine: Phrase
    field_stress: Phrase
    save: Phrase
    cancel: Phrase
    saved: Phrase
    advice_heading: Phrase
    settings_heading: Phrase
    zone: Phrase
    zone_search: Phrase
    zone_detected: Phrase
    wake_time: Phrase
    bedtime: Phrase
    language: Phrase
    paused: Phrase
    settings_saved: Phrase
    data_heading: Phrase
    export: Phrase
    export_sent: Phrase
    delete: Phrase
    delete_confirm: Phrase
    delete_yes: Phrase
    deleted: Phrase
    exercises_heading: Phrase
    breathing_title: Phrase
    breathing_intro: Phrase
    eyes_title: Phrase
    eyes_intro: Phrase
    start: Phrase
    stop: Phrase
    phase_inhale: Phrase
    phase_hold: Phrase
    phase_exhale: Phrase
    phase_rest: Phrase
    time_left: Annotated[str, Text(PHRASE, need=("time",))]
    step_of: Annotated[
        str,
        Text(
            PHRASE,
            need=(
                "done",
                "total",
            ),
        ),
    ]
    eyes_far: Phrase
    eyes_blink: Phrase
    eyes_focus: Phrase
    eyes_compress: Phrase
    exercise_done: Phrase
    error_unauthorized: Phrase
    error_network: Phrase
    error_generic: Phrase
    retry: Phrase
