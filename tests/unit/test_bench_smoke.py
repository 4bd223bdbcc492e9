"""The scale benchmark runs end to end at a tiny N, so it cannot rot (numbers are not checked)."""

from __future__ import annotations

from bench.scale import Config, run
from bench.sendpath import Config as SendPathConfig
from bench.sendpath import measure, render, table


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
    assert "20 people due at once, 40 messages" in report
    assert "outcomes {'sent': 20}" in report
    assert "- outcomes: {'sent': 40}" in report
    # Above the cap the baseline is extrapolated, and says so.
    assert "~ JobQueue at 200: extrapolated linearly from the first 100 people" in report


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
    # Every morning message went out, and no more were paid for than the budget allows.
    assert measured.ours["messages"] == 40
    assert measured.peak.messages == 80
    assert measured.peak.paid <= 60
