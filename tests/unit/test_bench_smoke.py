"""The benchmarks run end to end at tiny sizes, so they cannot rot (numbers are not checked)."""

from __future__ import annotations

import pytest

from bench import peak
from bench import report_pdf as report_pdf_bench
from bench.cluster import Runs, rows
from bench.scale import Config, run
from bench.sendpath import Config as SendPathConfig
from bench.sendpath import measure, render, table
from bench.twitch_log import run as run_twitch_log


async def test_scale_benchmark_prints_both_designs_and_the_peak(redis_url: str) -> None:
    config = Config(
        sizes=(200,),
        tick_runs=5,
        claim_runs=2,
        cohort=20,
        reference=20,
        baseline_cap=100,
        baseline_repeats=2,
        peak_people=40,
    )

    report = await run(config, redis_url=redis_url)

    header = next(line for line in report.splitlines() if line.startswith("| metric"))
    assert header == "| metric | goal | 200 ours | 200 JobQueue |"
    assert "| start-up, s (build + post_init) |" in report
    assert "| dispatcher sends/s, one core (wall) |" in report
    # Everyone in the throughput cohort and in the peak got their morning message.
    assert "20 people due at once, 20 messages" in report
    assert "outcomes {'sent': 20}" in report
    assert "- outcomes: {'sent': 40}" in report
    # Above the cap the baseline is extrapolated, and says so.
    assert "~ JobQueue at 200: extrapolated linearly from the first 100 people" in report


@pytest.mark.cluster
def test_cluster_benchmark_measures_a_real_cluster_beside_one_server() -> None:
    table = rows(300, Runs(claim=2, tick=5))

    assert [figure for figure, _goal, _measured in table] == [
        "claim + complete of 1,000 due, 300 people, cluster vs single",
        "tick with nothing due, 300 people, on the cluster",
    ]
    assert all("; single " in measured for _figure, _goal, measured in table)


def test_report_pdf_benchmark_prints_each_figure_against_its_goal() -> None:
    lines = report_pdf_bench.run(runs=1, sizes={7: 1.0})
    assert lines[0] == "figure | goal | measured"
    assert lines[1].startswith("PDF render, 7 days, median of 1 | < 1 s | ")


async def test_twitch_log_benchmark_times_both_taps_and_measures_memory(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWITCHCARE_REDIS_URL", redis_url)
    report = await run_twitch_log(people=3, episodes=5)

    assert "| log tap                    |     3 |" in report
    assert "| just-before tap            |     3 |" in report
    assert "|                    5 |" in report
    assert "goal: ≤ 64 bytes per episode: met" in report


def test_peak_benchmark_gives_issue_15s_row_scaled_to_200000(redis_url: str) -> None:
    [(figure, goal, measured)] = peak.rows(40, redis_url=redis_url)

    assert (figure, goal) == ("morning peak, 200,000 people at 08:00, free tier", "<= 1.9 h")
    # One message each, scaled from 40 people to 200,000 and saying so.
    assert "h, 1 message each (scaled ×5000 from 40 people: " in measured


async def test_sendpath_benchmark_prints_every_figure(redis_url: str) -> None:
    measured = await measure(
        SendPathConfig(cohort=20, reference=20, peak_people=40, peak_budget=60, repeats=1),
        redis_url=redis_url,
    )

    report = render(table(measured))

    for figure in (
        "| scheduled sends per CPU-second, new path | >= 1,000 |",
        "| new path / bare PTB send_message | >= 1.6x |",
        "| 2 processes vs 1 on 2 cores | >= 1.7x |",
        "| morning peak, 40 people at 08:00, paid broadcast, 2 processes |",
    ):
        assert figure in report
    # Every morning message went out (one each), and no more were paid for than the budget
    # allows.
    assert measured.ours["messages"] == 20
    assert measured.peak.messages == 40
    assert measured.peak.paid <= 60
