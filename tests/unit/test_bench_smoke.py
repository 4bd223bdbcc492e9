"""The scale benchmark runs end to end at a tiny N, so it cannot rot (numbers are not checked)."""

from __future__ import annotations

from bench import peak
from bench.scale import Config, run


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


def test_peak_benchmark_gives_issue_15s_row_scaled_to_200000(redis_url: str) -> None:
    [(figure, goal, measured)] = peak.rows(40, redis_url=redis_url)

    assert (figure, goal) == ("morning peak, 200,000 people at 08:00, free tier", "<= 1.9 h")
    # One message each, scaled from 40 people to 200,000 and saying so.
    assert "h, 1 message each (scaled ×5000 from 40 people: " in measured
