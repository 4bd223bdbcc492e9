"""Which tests run on the cluster too is decided by marks, and marks are easy to lose.

A module's `pytestmark` assigned a second time replaces the first: `pytestmark = ON_BOTH` then,
lower down, `pytestmark = pytest.mark.timeout(180)` quietly ran the replica-process races on
one server only. Every module assigns it at most once (a list holds several marks), and the
tests that issue 15 requires on both backends carry ON_BOTH.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
# The integration tests of the store, queue, rate limiter and webhook ledger, a representative
# set of end-to-end tests, the reliability races, and the replica and SIGKILL tests.
ON_BOTH_BACKENDS = (
    "tests.integration.test_store",
    "tests.integration.test_queue",
    "tests.integration.test_ratelimit",
    "tests.integration.test_outbox",
    "tests.e2e.test_webhook",
    "tests.e2e.test_checkin",
    "tests.e2e.test_schedule",
    "tests.e2e.test_races",
    "tests.e2e.test_replica_races",
    "tests.e2e.test_dispatch_replicas",
    "tests.e2e.test_dispatch_crash",
    "tests.faults.test_redis_mid_burst",
)


def pytestmark_assignments(path: Path) -> int:
    """How many module-level statements bind `pytestmark`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    count = 0
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        else:
            continue
        count += sum(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets)
    return count


def test_no_module_binds_pytestmark_twice() -> None:
    twice = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("test_*.py"))
        if pytestmark_assignments(path) > 1
    ]
    assert twice == [], "the later pytestmark replaces the earlier marks; use one list"


@pytest.mark.parametrize("module", ON_BOTH_BACKENDS)
def test_the_required_tests_run_on_both_backends(module: str) -> None:
    marks = getattr(importlib.import_module(module), "pytestmark", [])
    names = {mark.name for mark in (marks if isinstance(marks, list) else [marks])}
    assert "both_backends" in names, f"{module} does not run on the cluster"
