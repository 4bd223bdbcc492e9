"""Issue 15's table in one run: the send path, many processes, the cluster and the peaks.

    python -m bench.scaleout [--people 1000000] [--peak 200000] [--cohort 3000]

Runs, one after the other in this one command, the benchmarks that each own some rows:
`bench.sendpath` (scheduled sends per CPU-second next to bare PTB `send_message`, 1 and 2
dispatcher processes, the morning peak with paid broadcast and 2 processes), `bench.cluster`
(claim + complete and an idle tick on a real local three-master cluster next to one server)
and `bench.peak` (the free-tier morning peak, one message each). Each starts its own
redis-server(s) and stub; nothing is shared between them but the machine. Prints one
markdown table, figure | goal | measured, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence

from bench import cluster, peak, sendpath

Row = tuple[str, str, str]


def measure(people: int, peak_people: int, cohort: int) -> list[Row]:
    """Every row with a goal, in the order issue 15 lists them; then the supporting rows."""
    config = sendpath.Config(cohort=cohort, reference=cohort, peak_people=peak_people)
    send = sendpath.rows(config)
    goals = [row for row in send if row[1] not in ("", "-")]
    support = [row for row in send if row not in goals]
    return [*goals[:3], *cluster.rows(people), *peak.rows(peak_people), *goals[3:], *support]


def render(rows: Sequence[Row]) -> str:
    lines = ["| figure | goal | measured |", "| --- | --- | --- |"]
    lines += [f"| {figure} | {goal} | {value} |" for figure, goal, value in rows]
    return "\n".join(lines)


def timed(step: Callable[[], list[Row]]) -> tuple[list[Row], float]:
    began = time.perf_counter()
    return step(), time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1_000_000, help="people on the cluster")
    parser.add_argument("--peak", type=int, default=peak.TARGET_PEOPLE, help="people at 08:00")
    parser.add_argument("--cohort", type=int, default=sendpath.Config.cohort)
    args = parser.parse_args(argv)
    before = os.getloadavg()[0]
    rows, seconds = timed(lambda: measure(args.people, args.peak, args.cohort))
    print(render(rows))
    print(
        f"\nload average (1 min) before / after: {before:.2f} / {os.getloadavg()[0]:.2f}; "
        f"{seconds:.0f} s; {os.cpu_count()} CPUs",
        flush=True,
    )


if __name__ == "__main__":
    main()
