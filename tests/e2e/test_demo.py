"""`twitchcare demo` driven through stdin, as a person at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_demo(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TWITCHCARE_DATA_DIR": str(tmp_path / "data"),
        "TWITCHCARE_CLOCK_START": "2026-03-20T08:00:00+00:00",
    }
    env.pop("TWITCHCARE_REDIS_URL", None)
    env.pop("TWITCHCARE_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=50,
        check=False,
    )


def test_demo_enrols_by_typed_button_numbers(tmp_path: Path) -> None:
    result = run_demo(tmp_path, ["1", "london", "4", "23:00", "2"])

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] ✅ I understand, let's start" in out
    assert "Time zone set: London (Europe)" in out
    assert "Morning step at: 07:00" in out
    assert "Day 1: Friday 20 March" in out
    assert "Day 1: notice your twitch" in out
    assert "Traceback" not in result.stderr


def test_demo_keeps_the_person_across_runs(tmp_path: Path) -> None:
    run_demo(tmp_path, ["1", "london", "4", "23:00", "2"])
    again = run_demo(tmp_path, [])
    assert "You're already on the plan" in again.stdout
    fresh = run_demo(tmp_path, [], "--reset")
    assert "not a doctor" in fresh.stdout.lower()
