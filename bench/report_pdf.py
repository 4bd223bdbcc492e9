"""How long the doctor's PDF takes to render, against its goals: under 1 s at the median for a
7-day plan, under 2 s for 42 days (the chart's longest window).

    .venv/bin/python -m bench.report_pdf [--runs 15]

Renders `sample_report(days)`: check-ins that use every answer option, warning signs answered
yes on some days, an /urgent report and three logged episodes a day with every "what came
before" and place. The same sample is the fixture of tests/unit/test_report_pdf.py. The first
render is a warm-up (font files, imports) and not timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall

from bot.domain.episodes import Before, Episode
from bot.domain.insight import WeekInsight, week_insight
from bot.domain.models import (
    CheckIn,
    CheckInRecord,
    Duration,
    Profile,
    SignReport,
    Status,
    TwitchLocation,
)
from bot.texts.content import Content, load_content
from bot.views.report_pdf import report_pdf
from content import CONTENT_ROOT

GOALS_S = {7: 1.0, 42: 2.0}  # days of diary: the median render time to stay under
START = date(2026, 3, 2)
ZONE = "Europe/London"
# Per plan day (cycled): episodes, the longest, sleep, caffeine, stress. Every option of each
# check-in question appears within 7 days; the week gets better from 12 episodes to none.
EPISODES = (12, 8, 4, 8, 2, 2, 0)
DURATIONS = (Duration.MINUTES, Duration.CONSTANT, Duration.SECONDS)
SLEEP = (4.5, 5.5, 6.5, 7.5, 8.5, 7.5, 8.5)
CAFFEINE = (4, 3, 2, 1, 0, 1, 0)
STRESS = (5, 4, 3, 2, 1, 2, 1)
LOCATIONS = tuple(TwitchLocation)
EPISODE_TIMES = (wall(7, 40), wall(15, 10), wall(21, 55))


@dataclass(frozen=True)
class Sample:
    content: Content
    profile: Profile
    insight: WeekInsight
    made_at: datetime
    episodes: tuple[Episode, ...]


def sample_report(days: int) -> Sample:
    """`days` of check-ins from START, with the PDF made the morning after the last one."""
    content = load_content(CONTENT_ROOT, "en")
    profile = Profile(
        user_id=1,
        chat_id=1,
        status=Status.ACTIVE,
        consent_at=datetime.combine(START, wall(8), tzinfo=UTC),
        zone=ZONE,
        wake_time=wall(7),
        bedtime=wall(23),
        onset_date=START - timedelta(days=3),
        start_date=START,
    )
    records = [_record(n) for n in range(days)]
    urgent = SignReport(
        at=datetime.combine(START + timedelta(days=4), wall(12), tzinfo=UTC),
        local_date=START + timedelta(days=4),
        day=5,
        signs=("vision_change",),
    )
    today = START + timedelta(days=days)
    insight = week_insight(profile, records, [urgent], today)
    made_at = datetime.combine(today, wall(9), tzinfo=UTC)
    episodes = tuple(_episode(n, slot) for n in range(days) for slot in range(3))
    return Sample(content, profile, insight, made_at, episodes)


def _record(n: int) -> CheckInRecord:
    i = n % 7
    checkin = CheckIn(
        day=n + 1,
        twitch_location=LOCATIONS[n % len(LOCATIONS)],
        episodes_per_day=EPISODES[i],
        worst_duration=DURATIONS[n % len(DURATIONS)],
        painful=i == 1,
        days_since_onset=n + 3,
        sleep_hours=SLEEP[i],
        caffeine_drinks=CAFFEINE[i],
        stress_level=STRESS[i],
    )
    local = START + timedelta(days=n)
    at = datetime.combine(local, wall(21), tzinfo=UTC)
    return CheckInRecord(at=at, local_date=local, checkin=checkin)


def _episode(n: int, slot: int) -> Episode:
    befores: list[Before | None] = [*Before, None]
    places: list[TwitchLocation | None] = [None, *TwitchLocation]
    k = 3 * n + slot
    at = datetime.combine(START + timedelta(days=n), EPISODE_TIMES[slot], tzinfo=UTC)
    return Episode(at=at, before=befores[k % len(befores)], where=places[k % len(places)])


def render(sample: Sample) -> bytes:
    return report_pdf(
        sample.content, sample.profile, sample.insight, sample.made_at, episodes=sample.episodes
    )


def measure(days: int, runs: int) -> list[float]:
    """Wall seconds of `runs` renders of a `days`-day sample, after one warm-up."""
    sample = sample_report(days)
    render(sample)
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        render(sample)
        seconds.append(time.perf_counter() - began)
    return seconds


def run(runs: int, sizes: dict[int, float] = GOALS_S) -> list[str]:
    lines = ["figure | goal | measured"]
    for days, goal in sizes.items():
        median = statistics.median(measure(days, runs))
        verdict = "meets" if median < goal else "MISSES"
        lines.append(
            f"PDF render, {days} days, median of {runs} | < {goal:.0f} s | "
            f"{median * 1000:.0f} ms ({verdict})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for line in run(max(1, args.runs)):
        print(line)


if __name__ == "__main__":
    main()
