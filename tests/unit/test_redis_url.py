"""TWITCHCARE_REDIS_URL: one server, or a Redis Cluster named by one seed node."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.config import Settings

ACCEPTED = [
    "redis://localhost:6379/0",
    "rediss://user:secret@cache.example.com:6380",
    "unix:///run/redis/redis.sock",
    "redis+cluster://10.0.0.5:7000",
    "rediss+cluster://clustercfg.my-cache.abc123.use1.cache.amazonaws.com:6379",
    "redis+cluster://10.0.0.5:7000/0",
]
REFUSED = {
    "http://localhost:6379": "must start with redis://",
    "unix+cluster:///run/redis.sock": "must start with redis://",
    "redis+cluster://10.0.0.5:7000/3": "only database 0",
    "redis+cluster:///0": "names one node",
}


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_server_or_a_cluster_url_is_accepted(url: str) -> None:
    assert Settings(redis_url=url).redis_url == url


@pytest.mark.parametrize(("url", "reason"), REFUSED.items())
def test_other_urls_are_refused_with_what_is_accepted(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(redis_url=url)
