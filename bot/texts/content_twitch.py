"""The model for `twitch.yaml`: logging an episode the moment it happens, and what the logged
times and "what came before" answers show."""

from __future__ import annotations

from typing import Annotated

from bot.texts.content_text import (
    CAPTION,
    MESSAGE,
    PHRASE,
    TOAST,
    Button,
    ContentModel,
    Message,
    Phrase,
    Text,
)


class BeforeWords(ContentModel):
    """One entry per `Before` value (bot/domain/episodes.py)."""

    caffeine: Phrase
    screens: Phrase
    stress: Phrase
    tiredness: Phrase
    alcohol: Phrase
    nothing: Phrase


class TwitchContent(ContentModel):
    """Every string of the "⚡ Twitching now" log and its insight."""

    # The reply-keyboard button; a tap sends exactly this text.
    button: Button
    placeholder: Annotated[str, Text(PHRASE)]
    # Said with the button when it is given back (bot/chat/log_button.py).
    keyboard_back: Annotated[str, Text(MESSAGE, need=("button",))]
    typed_hint: Annotated[str, Text(MESSAGE, need=("button",))]
    logged: Annotated[str, Text(MESSAGE, need=("time",))]
    ask_before: Message
    before_buttons: BeforeWords
    before_words: BeforeWords
    before_line: Annotated[str, Text(MESSAGE, need=("before",))]
    ask_where: Annotated[str, Text(MESSAGE, need=("usual",))]
    where_line: Annotated[str, Text(MESSAGE, need=("where",))]
    done: Message
    saved: Annotated[str, Text(TOAST)]
    cap_reached: Annotated[str, Text(MESSAGE, need=("cap",))]
    export_caption: Annotated[str, Text(CAPTION)]
    # The evening check-in's episode question, when episodes were logged today.
    checkin_logged: Annotated[str, Text(MESSAGE, need=("count",))]
    checkin_logged_yes: Annotated[str, Text(PHRASE, need=("count",))]
    # Insight from the logged times (bot/domain/episode_insight.py)
    times_header: Message
    times_cluster: Annotated[str, Text(MESSAGE, need=("start", "end", "count", "total"))]
    times_spread: Annotated[str, Text(MESSAGE, need=("total",))]
    times_not_enough: Annotated[str, Text(MESSAGE, need=("total", "needed"))]
    trigger_line: Annotated[
        str, Text(MESSAGE, need=("before", "count", "total", "days_with", "days"))
    ]
    triggers_none: Message
    times_note: Message
    chart_hours_title: Phrase
    chart_hours_axis: Phrase
