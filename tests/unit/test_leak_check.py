"""The suite's own guard: a process that outlives the test run fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKY_TEST = """
import subprocess
KEEP = []

def test_starts_a_server_and_forgets_it():
    KEEP.append(subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300"]))
"""


def test_a_leaked_process_fails_the_run_and_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_leaky.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert "1 passed" in run.stdout
    assert "processes outlived the test suite" in run.stdout
    assert "(sleep)" in run.stdout
    assert run.returncode == 1
