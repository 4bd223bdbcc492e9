"""The Redis client: one server (redis://, rediss://, unix://) or a Redis Cluster
(redis+cluster://, rediss+cluster://, naming any one node as the seed).

Every script and transaction the bot runs keeps its keys in one hash slot (ARCHITECTURE §7), so
the same code runs on both; what spans people (the queue's shards, /stats) goes shard by shard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, TypeAlias
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError
from redis.typing import EncodableT, KeyT


class NodeScript(AsyncScript):
    """A Lua script on a cluster that a node which does not know it yet (a fresh node, a
    replica just promoted) learns by EVAL on that node alone. redis-py's own script sends
    SCRIPT LOAD to every master instead, which fails while any master is down: one dead master
    then failed scripts on the healthy ones too."""

    async def __call__(
        self,
        keys: Sequence[KeyT] | None = None,
        args: Iterable[EncodableT] | None = None,
        client: Any = None,
    ) -> Any:
        if client is not None:
            return await super().__call__(keys, args, client)
        keys = list(keys or [])
        both = (*keys, *(args or []))
        try:
            return await self.registered_client.evalsha(self.sha, len(keys), *both)
        except NoScriptError:
            text = self.script if isinstance(self.script, str) else bytes(self.script).decode()
            return await self.registered_client.eval(text, len(keys), *both)


class ClusterClient(RedisCluster):
    """redis-py's RedisCluster whose scripts are NodeScripts."""

    def register_script(self, script: str | bytes) -> AsyncScript:  # type: ignore[override]
        return NodeScript(self, script)


RedisClient: TypeAlias = Redis | RedisCluster
# A cluster URL's scheme -> the scheme of its seed node.
CLUSTER_SCHEMES: Final = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
SINGLE_SCHEMES: Final = ("redis", "rediss", "unix")


def check_redis_url(url: str) -> None:
    """ValueError, saying what is accepted, unless connect() can use the URL."""
    parts = urlsplit(url)
    if parts.scheme in CLUSTER_SCHEMES:
        if not parts.hostname:
            raise ValueError(
                "a cluster URL names one node as host:port, e.g. redis+cluster://h:6379"
            )
        if parts.path.strip("/") not in ("", "0"):
            raise ValueError("a Redis Cluster has only database 0")
    elif parts.scheme not in SINGLE_SCHEMES:
        raise ValueError(
            "must start with redis://, rediss:// or unix:// (one server), "
            "or redis+cluster:// or rediss+cluster:// (a Redis Cluster)"
        )


async def connect(url: str) -> RedisClient:
    """A client for the URL; replies are bytes.

    A pooled connection idle for more than a second is checked with a PING before use, so a
    Redis restart or fail-over while the bot was idle costs a reconnect, not a failed command.
    On one server, commands themselves are not retried: a retried write whose reply was lost
    could apply twice. A cluster client follows MOVED/ASK redirections and, after a fail-over,
    asks the cluster for its new layout and sends the command again (redis-py's own policy).

    A cluster client learns the cluster's layout here, before anyone uses it: redis-py does it
    lazily on the first command, and first commands that arrive together (a burst of updates
    just after start-up) break each other's connections while it does.
    """
    scheme, _, rest = url.partition("://")
    if scheme not in CLUSTER_SCHEMES:
        return Redis.from_url(url, decode_responses=False, health_check_interval=1)
    cluster = ClusterClient.from_url(
        f"{CLUSTER_SCHEMES[scheme]}://{rest}", decode_responses=False, health_check_interval=1
    )
    try:
        await cluster.initialize()
    except BaseException:
        await cluster.aclose()
        raise
    return cluster


async def drop_idle_connections(client: RedisClient) -> None:
    """Close the pooled connections nobody is using (they all died with a restarted Redis).
    A cluster client replaces a node's connections itself when it sees the node fail."""
    if isinstance(client, Redis):
        await client.connection_pool.disconnect(inuse_connections=False)
