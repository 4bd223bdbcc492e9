"""Before and after the restructure (issue 14): the same benchmarks on a baseline commit and here.

    .venv/bin/python -m bench.restructure [--baseline c36a645] [--rounds 3] [--people 60]
                                          [--size 10000] [--cohort 3000]

Checks the baseline commit out into a temporary git worktree under .cache/restructure/ with its
own venv (kept, keyed by commit, so a rerun skips the install), then runs, alternating baseline
and current for each round, in fresh processes: `bench.checkin_tap` (tap p99) and `bench.scale`
at one small size (claim + complete of 1,000 due, dispatcher sends/s). Only CLI flags that the
baseline already has are used. Prints one markdown table of the medians over the rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "restructure"
SMALL = 1_000  # the scale run's morning peak and JobQueue baseline: not compared, kept cheap
Figures = dict[str, float]


@dataclass(frozen=True)
class Side:
    """One side of the comparison: an interpreter and the checkout it runs in."""

    name: str
    python: Path
    tree: Path


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def baseline_venv(commit: str, tree: Path) -> Path:
    """The baseline's interpreter: a venv with the baseline installed, built once per commit."""
    venv = CACHE / commit / "venv"
    ready = venv / "installed"
    if not ready.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "-e", ".[dev]"]
        subprocess.run(pip, cwd=tree, check=True)
        ready.touch()
    return venv / "bin" / "python"


def run_module(side: Side, module: str, *args: str) -> str:
    """`python -m module args` in a fresh process of that side; its output."""
    env = {**os.environ, "PTB_TIMEDELTA": "1"}
    done = subprocess.run(
        [str(side.python), "-m", module, *args],
        cwd=side.tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{side.name}: {module} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def row_cells(output: str, label: str) -> list[str]:
    """The cells of the markdown table row whose first cell starts with `label`."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[0].startswith(label):
            return cells
    raise ValueError(f"no table row {label!r} in:\n{output}")


def number(cell: str, index: int = 0) -> float:
    """The index-th number in a cell such as '3.21 / 5.43' or '1,234'."""
    found = re.findall(r"\d[\d,]*(?:\.\d+)?", cell)
    if len(found) <= index:
        raise ValueError(f"no number #{index} in {cell!r}")
    return float(found[index].replace(",", ""))


def tap_figures(side: Side, people: int) -> Figures:
    output = run_module(side, "bench.checkin_tap", "--people", str(people))
    return {"tap p99, ms": number(row_cells(output, "all check-in taps")[3])}


def scale_figures(side: Side, size: int, cohort: int) -> Figures:
    args = ["--sizes", str(size), "--cohort", str(cohort)]
    args += ["--peak", str(SMALL), "--baseline-cap", str(SMALL)]
    output = run_module(side, "bench.scale", *args)
    claim = row_cells(output, "claim + complete 1,000 due")[2]
    sends = row_cells(output, "dispatcher sends/s, one core")[2]
    return {
        "claim + complete 1,000 due, median ms": number(claim, 0),
        "claim + complete 1,000 due, p99 ms": number(claim, 1),
        "dispatcher sends/s (wall)": number(sends),
    }


def measure(
    sides: Sequence[Side], rounds: int, probes: Sequence[Callable[[Side], Figures]]
) -> dict[str, dict[str, list[float]]]:
    """Each probe on each side, alternating sides, `rounds` times: side -> figure -> values."""
    results: dict[str, dict[str, list[float]]] = {side.name: {} for side in sides}
    for index in range(rounds):
        for side in sides if index % 2 == 0 else reversed(sides):
            for probe in probes:
                for figure, value in probe(side).items():
                    results[side.name].setdefault(figure, []).append(value)
            print(f"round {index + 1}/{rounds}: {side.name} done", file=sys.stderr)
    return results


def table(results: dict[str, dict[str, list[float]]], baseline: str) -> str:
    lines = [
        f"| figure | baseline ({baseline}) median | current median | ratio |",
        "|---|---:|---:|---:|",
    ]
    for figure, before_values in results["baseline"].items():
        before = statistics.median(before_values)
        after = statistics.median(results["current"][figure])
        ratio = f"{after / before:.2f}" if before else "-"
        lines.append(f"| {figure} | {before:.2f} | {after:.2f} | {ratio} |")
    return "\n".join(lines)


@contextmanager
def checked_out(commit: str) -> Iterator[Path]:
    """A temporary git worktree of `commit` (the venv beside it outlives it)."""
    tree = CACHE / commit / "tree"
    if tree.exists():  # left by an interrupted run
        shutil.rmtree(tree)
    git("worktree", "prune")
    git("worktree", "add", "--detach", str(tree), commit)
    try:
        yield tree
    finally:
        git("worktree", "remove", "--force", str(tree))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--baseline", default="c36a645", help="commit before the restructure")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side")
    parser.add_argument("--people", type=int, default=60, help="bench.checkin_tap --people")
    parser.add_argument("--size", type=int, default=10_000, help="bench.scale --sizes")
    parser.add_argument("--cohort", type=int, default=3_000, help="bench.scale --cohort")
    args = parser.parse_args(argv)
    commit = git("rev-parse", f"{args.baseline}^{{commit}}")
    probes: list[Callable[[Side], Figures]] = [
        lambda side: tap_figures(side, args.people),
        lambda side: scale_figures(side, args.size, args.cohort),
    ]
    with checked_out(commit) as tree:
        baseline = Side("baseline", baseline_venv(commit, tree), tree)
        results = measure(
            [baseline, Side("current", Path(sys.executable), ROOT)], args.rounds, probes
        )
    print(f"{args.rounds} round(s); checkin_tap --people {args.people}; ", end="")
    print(f"scale --sizes {args.size} --cohort {args.cohort}\n")
    print(table(results, args.baseline))


if __name__ == "__main__":
    main()
