"""Tables for what logged episodes show: a time-of-day cluster, and "just before" answers set
against how often the person meets that exposure anyway."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.episode_insight import (
    MIN_EPISODES_FOR_TIMES,
    Cluster,
    episode_insight,
    time_cluster,
)
from bot.domain.episodes import Before, Episode
from bot.domain.models import CheckIn, CheckInRecord, Duration, TwitchLocation
from bot.texts.content import Content, load_content
from bot.texts.insight_text import episodes_text
from content import CONTENT_ROOT

ZONE = "Europe/Berlin"  # UTC+1 in March: local hours differ from UTC ones
WAKE = time(7, 0)
MONDAY = date(2026, 3, 2)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local Berlin time on plan day `day` (1 = MONDAY), as an aware UTC instant."""
    local = datetime.combine(MONDAY + timedelta(days=day - 1), time(hour, minute))
    return (local - timedelta(hours=1)).replace(tzinfo=UTC)


def episodes(times: list[tuple[int, int]], before: Before | None = None) -> list[Episode]:
    return [Episode(at=at(day, hour), before=before) for day, hour in times]


def checkin_day(day: int, *, caffeine: int = 0, stress: int = 1, sleep: float = 8) -> CheckInRecord:
    checkin = CheckIn(
        day=day,
        twitch_location=TwitchLocation.EYELID,
        episodes_per_day=2,
        worst_duration=Duration.SECONDS,
        days_since_onset=day,
        sleep_hours=sleep,
        caffeine_drinks=caffeine,
        stress_level=stress,
    )
    local_date = MONDAY + timedelta(days=day - 1)
    return CheckInRecord(at=at(day, 21), local_date=local_date, checkin=checkin)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


AFTERNOON = [(d, h) for d in (1, 2, 3) for h in (15, 16, 17)] + [(4, 9)]  # 9 of 10 in 15-18
UNIFORM = [(1, h) for h in range(8, 22)]  # one an hour, 08:00 to 21:00


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (AFTERNOON, Cluster(start_hour=15, count=9, total=10)),
        (UNIFORM, None),
        ([(d, 23) for d in range(1, 5)] + [(d, 0) for d in range(1, 5)], Cluster(22, 8, 8)),
    ],
    ids=["a clear afternoon cluster", "uniform times", "a cluster across midnight"],
)
def test_time_of_day_cluster(times: list[tuple[int, int]], expected: Cluster | None) -> None:
    insight = episode_insight(ZONE, WAKE, episodes(times), [])
    assert insight.enough
    assert insight.cluster == expected


def test_too_few_events_are_not_enough_for_a_pattern() -> None:
    few = episodes([(1, 15), (1, 16), (2, 15), (2, 16), (3, 17)])  # all in one afternoon window
    insight = episode_insight(ZONE, WAKE, few, [])
    assert not insight.enough
    assert insight.cluster is None
    assert insight.triggers == ()
    assert time_cluster(insight.by_hour) is None


def test_hours_are_the_persons_local_hours() -> None:
    insight = episode_insight(ZONE, WAKE, episodes([(1, 15)]), [])
    assert insight.by_hour[15] == 1
    assert sum(insight.by_hour) == 1


def test_an_exposure_before_some_episodes_but_few_days_is_a_trigger() -> None:
    logged = episodes([(1, 10), (1, 11), (2, 10)], Before.NOTHING)
    logged += episodes([(3, 15), (3, 16), (3, 17), (4, 15), (4, 16), (4, 17)], Before.SCREENS)
    checkins = [checkin_day(d) for d in range(1, 8)]  # 7 days; screens on 2 of them

    (trigger,) = episode_insight(ZONE, WAKE, logged, checkins).triggers

    assert (trigger.before, trigger.count, trigger.total) == (Before.SCREENS, 6, 9)
    assert (trigger.days_with, trigger.days) == (2, 7)


def test_a_daily_habit_before_every_episode_is_not_called_a_trigger() -> None:
    """Coffee precedes every episode, but the person also drinks coffee every day."""
    logged = episodes([(d, 10) for d in range(1, 8)] + [(1, 15), (2, 15)], Before.CAFFEINE)
    checkins = [checkin_day(d, caffeine=2) for d in range(1, 8)]

    insight = episode_insight(ZONE, WAKE, logged, checkins)

    assert insight.enough
    assert insight.triggers == ()


def test_an_exposure_logged_every_day_is_not_called_a_trigger_either() -> None:
    """Screens (not in the check-in) came before every episode, on every day logged."""
    logged = episodes([(d, 20) for d in range(1, 9)], Before.SCREENS)
    assert episode_insight(ZONE, WAKE, logged, []).triggers == ()


def test_below_the_threshold_the_text_says_not_enough_data(content: Content) -> None:
    insight = episode_insight(ZONE, WAKE, episodes([(1, 15), (1, 16)]), [])
    text = episodes_text(content, insight)
    assert "Not enough logged episodes yet" in text
    assert f"I need at least {MIN_EPISODES_FOR_TIMES}" in text


def test_the_text_names_the_cluster_and_the_trigger(content: Content) -> None:
    logged = episodes([(1, 10), (1, 11), (2, 10)], Before.NOTHING)
    logged += episodes([(3, 15), (3, 16), (3, 17), (4, 15), (4, 16), (4, 17)], Before.SCREENS)
    checkins = [checkin_day(d) for d in range(1, 8)]
    text = episodes_text(content, episode_insight(ZONE, WAKE, logged, checkins))
    assert "Most came between <b>15:00 and 18:00</b>: 6 of your 9 logged episodes" in text
    assert "<b>Screens</b> came just before 6 of your 9 logged episodes" in text


def test_uniform_times_are_said_to_be_spread(content: Content) -> None:
    text = episodes_text(content, episode_insight(ZONE, WAKE, episodes(UNIFORM), []))
    assert "spread across the day" in text
