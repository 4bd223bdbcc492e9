"""How many examples each fuzz target runs: few in the normal run, ≥ 10,000 in the long one.

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/fuzz -q

The long run also lifts the per-test timeout (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE", "") == "long"
LONG_EXAMPLES = 10_000


def examples(normal: int) -> int:
    """`normal` examples in the everyday run, LONG_EXAMPLES in the dedicated one."""
    return LONG_EXAMPLES if LONG else normal


def fuzz(normal: int) -> settings:
    """Settings for one target: no deadline (the machine is shared), and one harness per test
    function is fine to reuse across examples (each example resets what it touches)."""
    return settings(
        max_examples=examples(normal),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        # The long run is about breadth; shrinking a failure found there still happens.
        database=None,
    )
