"""A short version of the load run (bench/load.py), so it cannot rot: 50 people for 5 s.

Every tap completes, the check-ins stored in Redis equal the check-ins completed, no update
reaches the error handler, and the logs of the whole run (as production writes them, JSON)
hold no message text, no name and no token.
"""

from __future__ import annotations

import json

from bench.load import run
from bot.storage.client import RedisClient


async def test_fifty_people_for_five_seconds(redis_url: str, redis_client: RedisClient) -> None:
    result = await run(people=50, seconds=5.0, redis_url=redis_url)

    tally = result.tally
    assert tally.errors == {}
    assert tally.taps_completed == tally.taps_started > 50
    assert tally.checkins_completed >= 50
    assert result.checkins_stored == tally.checkins_completed
    assert result.p99_ms < 10_000
    assert result.log_lines, "nothing was logged, so the scan below would prove nothing"
    assert all(isinstance(json.loads(line), dict) for line in result.log_lines)
    assert result.leaks == []
    assert [k async for k in redis_client.scan_iter(match="u:*")] == []  # the bench cleans up
