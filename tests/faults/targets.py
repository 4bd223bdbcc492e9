"""The Redis a fault test kills or freezes mid-operation: one durable server, or a cluster.

On one server (AOF, appendfsync always) a killed server is started again on its port and keeps
every write it acknowledged. On the cluster, only the master serving the person being sent to
dies; first it is made to confirm (WAIT) that its replica has every write it acknowledged, then
it is SIGKILLed, and its replica takes over (CLUSTER FAILOVER TAKEOVER). Without that WAIT a
fail-over may lose the last writes a master acknowledged (replication is asynchronous): the
outbox's pending marker then makes the bot retry, at least once (ARCHITECTURE §5), where here
it sends exactly once.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio.cluster import RedisCluster

from bot.storage.client import RedisClient, connect, drop_idle_connections
from bot.storage.store import OUTBOX, person_key
from devtools.redis_cluster import ClusterNode, LocalCluster
from tests.redis_server import RedisServer

REPLICATED_MS = 5000  # WAIT's bound for the replica to confirm the master's writes


class RedisTarget(Protocol):
    url: str
    client: RedisClient  # the test's own

    def pid_serving(self, user_id: int) -> int:
        """The redis-server process that holds the person's keys now."""

    def kill_serving(self, user_id: int) -> None:
        """SIGKILL the process holding the person's keys (synchronous: called mid-send)."""

    async def recover(self) -> None:
        """Serve every key again, with what was written before the kill."""


@dataclass
class ServerTarget:
    server: RedisServer
    url: str
    client: RedisClient

    @classmethod
    async def ready(cls, server: RedisServer) -> ServerTarget:
        return cls(server, server.url, await connect(server.url))

    def pid_serving(self, user_id: int) -> int:  # noqa: ARG002 - one server serves everyone
        pid = self.server.pid
        assert pid is not None
        return pid

    def kill_serving(self, user_id: int) -> None:
        os.kill(self.pid_serving(user_id), signal.SIGKILL)

    async def recover(self) -> None:
        self.server.start()  # the same port and AOF: nothing acknowledged is lost
        await drop_idle_connections(self.client)


@dataclass
class ClusterTarget:
    cluster: LocalCluster
    url: str
    client: RedisClient
    killed: list[ClusterNode] = field(default_factory=list)

    @classmethod
    async def ready(cls, cluster: LocalCluster) -> ClusterTarget:
        cluster.ensure_running()  # e.g. the master an earlier test killed, back as a replica
        client = await connect(cluster.url)
        await client.flushall()
        return cls(cluster, cluster.url, client)

    def master_serving(self, user_id: int) -> ClusterNode:
        return self.master_of(person_key(user_id, OUTBOX))

    def master_of(self, key: str) -> ClusterNode:
        """The master that serves the key's slot now."""
        assert isinstance(self.client, RedisCluster)
        node = self.client.get_node_from_key(key)
        assert node is not None
        return self.cluster.node_at(int(node.port))

    def pid_serving(self, user_id: int) -> int:
        pid = self.master_serving(user_id).process.pid
        assert pid is not None
        return pid

    def kill_serving(self, user_id: int) -> None:
        master = self.master_serving(user_id)
        assert master.run("WAIT", 1, REPLICATED_MS) == 1, "the replica lags behind its master"
        self.cluster.kill_master(master)
        self.killed.append(master)

    async def recover(self) -> None:
        for master in self.killed:
            self.cluster.fail_over(master)
        self.killed.clear()
