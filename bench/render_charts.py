"""How long the /progress chart (PNG) and the doctor's PDF take to draw, against the 1 s goal.

    .venv/bin/python -m bench.render_charts [--runs 20] [--days 7]

Renders a realistic week (or `--days` of check-ins, up to the chart's 42-day window) with the
same functions the bot calls in its worker thread, and prints the median and p95 of `--runs`
renders each. The first render of each kind is a warm-up (font cache, imports) and not timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall

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
from bot.views.charts import chart_png
from bot.views.report_pdf import report_pdf
from content import CONTENT_ROOT

GOAL_S = 1.0
START = date(2026, 3, 20)


def _profile() -> Profile:
    return Profile(
        user_id=1,
        chat_id=1,
        status=Status.ACTIVE,
        consent_at=datetime(2026, 3, 20, 8, tzinfo=UTC),
        zone="Europe/London",
        wake_time=wall(7),
        bedtime=wall(23),
        onset_date=START - timedelta(days=3),
        start_date=START,
    )


def _records(days: int) -> list[CheckInRecord]:
    """A week that gets better, with a warning sign on day 2, repeated for `days` days."""
    episodes = (8, 8, 4, 2, 2, 2, 0)
    records = []
    for n in range(days):
        local = START + timedelta(days=n)
        checkin = CheckIn(
            day=n + 1,
            twitch_location=TwitchLocation.EYELID,
            episodes_per_day=episodes[n % 7],
            worst_duration=Duration.MINUTES if episodes[n % 7] > 4 else Duration.SECONDS,
            painful=n % 7 == 1,
            days_since_onset=n + 3,
            sleep_hours=4.5 + (n % 7) * 0.6,
            caffeine_drinks=max(0, 4 - n % 7),
            stress_level=max(1, 5 - n % 7),
        )
        at = datetime.combine(local, wall(21), tzinfo=UTC)
        records.append(CheckInRecord(at=at, local_date=local, checkin=checkin))
    return records


def _time(render: Callable[[], bytes], runs: int) -> tuple[list[float], list[float], int]:
    """Wall seconds and CPU seconds per run (CPU time shows the cost when the machine is busy)."""
    size = len(render())  # warm-up
    wall_s, cpu_s = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.thread_time()
        render()
        wall_s.append(time.perf_counter() - began)
        cpu_s.append(time.thread_time() - began_cpu)
    return wall_s, cpu_s, size


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(name: str, timed: tuple[list[float], list[float], int]) -> str:
    seconds, cpu, size = timed
    median, p95 = statistics.median(seconds), _p95(seconds)
    verdict = "meets" if p95 < GOAL_S else "MISSES"
    return (
        f"{name:<11} median {median * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
        f"(CPU median {statistics.median(cpu) * 1000:6.1f} ms)  {size / 1024:5.1f} KiB  "
        f"goal p95 < {GOAL_S * 1000:.0f} ms: {verdict}"
    )


def run(runs: int, days: int) -> list[str]:
    content: Content = load_content(CONTENT_ROOT, "en")
    profile = _profile()
    records = _records(days)
    reports: list[SignReport] = []
    today = START + timedelta(days=days)
    insight: WeekInsight = week_insight(profile, records, reports, today)
    made_at = datetime.combine(today, wall(9), tzinfo=UTC)
    png = _time(lambda: chart_png(insight.days, content.ui.insight, content.locale), runs)
    pdf = _time(lambda: report_pdf(content, profile, insight, made_at), runs)
    return [
        f"{runs} runs each, {days} days of check-ins ({len(insight.days)} days charted)",
        _row("chart PNG", png),
        _row("doctor PDF", pdf),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    for line in run(max(1, args.runs), max(1, args.days)):
        print(line)


if __name__ == "__main__":
    main()
