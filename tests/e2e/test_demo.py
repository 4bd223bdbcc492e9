"""`twitchcare demo` driven as a person at a terminal would: read the screen, type a number."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.demo_driver import DemoDriver

START = "2026-03-20T08:00:00+00:00"


def enrol(demo: DemoDriver) -> str:
    """Consent, London, wake 07:00, bedtime typed, onset yesterday; the whole screen."""
    demo.expect("Happy to go ahead")
    demo.tap("I understand", "Where are you")
    demo.say("london", "wake up")
    demo.tap("07:00", "go to bed")
    demo.say("23:00", "twitching start")
    demo.tap("Yesterday", "Day 1")
    return demo.screen


def test_demo_enrols_by_typed_button_numbers(tmp_path: Path) -> None:
    with DemoDriver(tmp_path / "data", START) as demo:
        out = enrol(demo)
        assert demo.close() == 0

    assert "✅ I understand, let's start" in out
    assert "Time zone set: London (Europe)" in out
    assert "Morning step at: 07:00" in out
    assert "Day 1: Friday 20 March" in out
    assert "Day 1: notice your twitch" in out
    assert "Traceback" not in demo.screen


def test_demo_keeps_the_person_across_runs(tmp_path: Path) -> None:
    with DemoDriver(tmp_path / "data", START) as demo:
        enrol(demo)
        demo.close()
    with DemoDriver(tmp_path / "data", START) as again:
        assert "You're already on the plan" in again.expect("already on the plan")
    with DemoDriver(tmp_path / "data", START, "--reset") as fresh:
        assert "not a doctor" in fresh.expect("Happy to go ahead").lower()
