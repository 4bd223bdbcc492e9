"""Small helpers shared by the scale benchmark: timing statistics, RSS, CPU pinning, workers."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The bench's processes use two cores like this when the machine has them: the measured Python
# process (our dispatcher, a start-up, the baseline) on one, Redis and the Bot API stub on the
# other, so "one core" means one core.
MEASURED_CPU = 0
SERVICE_CPU = 1


@dataclass(frozen=True)
class Spread:
    """Median and 99th percentile of repeated timings, in milliseconds."""

    median_ms: float
    p99_ms: float
    runs: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread:
        ms = sorted(s * 1000 for s in seconds)
        return cls(statistics.median(ms), percentile(ms, 0.99), len(ms))

    def to_dict(self) -> dict[str, float]:
        return {"median_ms": self.median_ms, "p99_ms": self.p99_ms, "runs": self.runs}


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def rss_mb() -> float:
    """This process's resident set size now (Linux /proc), in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pin(cpu: int | None, pid: int = 0) -> bool:
    """Restrict a process (default: this one) to one CPU if the machine has it."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return False
    if cpu not in os.sched_getaffinity(0) and pid == 0:
        return False
    try:
        os.sched_setaffinity(pid, {cpu})
    except OSError:
        return False
    return True


def two_cores() -> bool:
    return hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) >= 2


def run_worker(module: str, params: dict[str, Any], *, cpu: int | None) -> dict[str, Any]:
    """Run `python -m <module>` with JSON params on stdin (a fresh process: clean RSS).

    The worker prints one JSON object as its last stdout line.
    """
    args = [sys.executable, "-m", module]
    if cpu is not None:
        params = {**params, "cpu": cpu}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        args,
        input=json.dumps(params),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PTB_TIMEDELTA": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def read_params() -> dict[str, Any]:
    """A worker's parameters (JSON on stdin); pins the worker if asked."""
    params: dict[str, Any] = json.loads(sys.stdin.read() or "{}")
    pin(params.get("cpu"))
    return params


def emit(result: dict[str, Any]) -> None:
    """A worker's result: one JSON line on stdout."""
    print(json.dumps(result), flush=True)
