"""The week's summary says one thing: no two of its lines may disagree (ARCHITECTURE §4)."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pytest

from bot.domain.insight import week_insight
from bot.domain.models import CheckInRecord, Reason
from bot.texts.content import Content, load_content
from bot.texts.insight_text import week_summary
from bot.texts.telegram_html import visible_text
from content import CONTENT_ROOT
from tests.factories import make_profile, make_record

SUMMARY_DAY = date(2026, 3, 27)  # plan day 8 for make_profile

# Episodes on day 1 and day 7 (None: no check-in that day).
TRENDS: dict[str, tuple[int | None, int]] = {
    "improved": (8, 2),
    "same": (4, 4),
    "same-no-twitching": (0, 0),
    "worse": (2, 8),
    "no-baseline": (None, 4),
}
# Answers on day 3 that reach each level.
LEVELS: dict[str, dict[str, Any]] = {
    "none": {},
    "see-doctor": {"painful": True},
    "emergency": {"drooping": True},
}
# Advice given earlier that later answers may have overtaken ("fell, then rose").
ADVISED: dict[str, tuple[Reason, ...]] = {
    "nothing-advised": (),
    "advised-not-improving": (Reason.NOT_IMPROVING,),
}

CLAIMS: dict[str, re.Pattern[str]] = {
    "eased": re.compile(r"\beased\b|has improved|paying off", re.I),
    "not eased": re.compile(r"no improvement|not improving|about the same|seems worse", re.I),
    "no doctor": re.compile(r"don't point to a doctor", re.I),
    "doctor": re.compile(r"\bsee (a|an|your)\b|\bbook\b|appointment", re.I),
    "emergency": re.compile(r"\bcall\b.*\bnow\b", re.I),
    "cheer": re.compile(r"🎉|nice work|well done|keep it up", re.I),
    "advice above": re.compile(r"advice above", re.I),
    "advice given": re.compile(r"what i advised", re.I),
}
CONTRADICTIONS = [
    ("eased", "not eased"),
    ("no doctor", "doctor"),
    ("no doctor", "emergency"),
    ("emergency", "cheer"),
]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


def records(trend: str, level: str) -> list[CheckInRecord]:
    first, last = TRENDS[trend]
    made = [make_record(day=3, episodes_per_day=max(last, 1), **LEVELS[level])]
    if first is not None:
        made.insert(0, make_record(day=1, episodes_per_day=first))
    return [*made, make_record(day=7, episodes_per_day=last)]


def contradictions(text: str) -> list[tuple[str, str]]:
    said = {name for name, pattern in CLAIMS.items() if pattern.search(text)}
    found = [(a, b) for a, b in CONTRADICTIONS if a in said and b in said]
    if "advice above" in said and "advice given" not in said:
        found.append(("advice above", "no advice given"))
    return found


@pytest.mark.parametrize(
    ("trend", "level", "advised"), list(itertools.product(TRENDS, LEVELS, ADVISED))
)
def test_no_two_lines_of_the_summary_disagree(
    content: Content, trend: str, level: str, advised: str
) -> None:
    profile = make_profile(advised_reasons=ADVISED[advised])
    history = records(trend, level)
    insight = week_insight(profile, history, [], SUMMARY_DAY)
    text = visible_text("\n\n".join(week_summary(content, profile, insight, 7, len(history))))
    assert contradictions(text) == []


def test_the_check_catches_a_contradiction() -> None:
    text = "📉 Your twitching has eased. No improvement after the 7-day plan."
    assert contradictions(text) == [("eased", "not eased")]
