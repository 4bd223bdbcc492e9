"""A real local Redis Cluster for tests and benchmarks, from the same redis-server binary.

Three masters (and, by default, one replica each) on free 127.0.0.1 ports, each started by the
project's one launcher with ``--cluster-enabled yes``. The slots are split evenly (CLUSTER
ADDSLOTSRANGE on Redis 7, ADDSLOTS on 6.2), the nodes meet, the replicas follow their masters,
and start() returns once every node reports ``cluster_state:ok`` and sees every other node.
Synchronous, like the single test server, so one cluster can serve a whole test session.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any, Final

from redis import Redis
from redis.exceptions import ResponseError

from bot.storage.redis_server import RedisProcess, RedisServerError, ServerConfig

SLOTS: Final = 16384
# Redis listens for the cluster bus on port + 10000.
BUS_OFFSET: Final = 10000
READY_TIMEOUT: Final = 60.0
POLL: Final = 0.02
# How long a master may be silent before its replica may take over (kept short for the tests).
NODE_TIMEOUT_MS: Final = 2000


def free_port(*, with_bus: bool = False) -> int:
    """A 127.0.0.1 port nothing listens on now (and, with_bus, nor on port + 10000)."""
    for _attempt in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if not with_bus or (port + BUS_OFFSET < 65536 and _bindable(port + BUS_OFFSET)):
            return port
    raise RedisServerError("no free port pair for a cluster node")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for(condition: Callable[[], bool], what: str, timeout: float = READY_TIMEOUT) -> None:
    """Return once condition() holds; RedisServerError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RedisServerError(f"the local cluster did not reach: {what}")
        time.sleep(POLL)  # polling a condition of another process, bounded by the deadline


def version_of(node: ClusterNode) -> tuple[int, ...]:
    info = node.admin.info("server")
    return tuple(int(part) for part in str(info["redis_version"]).split("."))


class ClusterNode:
    """One node: its process, and a plain (not cluster-aware) client for managing it."""

    def __init__(
        self, binary: str, work_dir: Path, node_timeout_ms: int, *, appendonly: bool
    ) -> None:
        work_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port(with_bus=True)
        config = ServerConfig(
            work_dir,
            port=self.port,
            appendonly=appendonly,
            cluster_node_timeout_ms=node_timeout_ms,
        )
        self.process = RedisProcess(config, binary=binary)
        self.admin = Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def run(self, *args: str | int) -> Any:
        """One command to this node alone (redis-py leaves execute_command untyped)."""
        return self.admin.execute_command(*args)  # type: ignore[no-untyped-call]

    @property
    def node_id(self) -> str:
        return str(self.run("CLUSTER", "MYID"))

    def info(self) -> dict[str, str]:
        raw = str(self.run("CLUSTER", "INFO"))
        return dict(line.split(":", 1) for line in raw.split() if ":" in line)

    def known_nodes(self) -> int:
        return int(self.info().get("cluster_known_nodes", "0"))

    def role(self) -> str:
        return str(self.run("ROLE")[0])

    def serving_masters(self) -> frozenset[str]:
        """The ids of the masters this node sees serving slots (CLUSTER NODES lines that end
        with slot ranges)."""
        lines = str(self.run("CLUSTER", "NODES")).splitlines()
        fields = [line.split() for line in lines]
        return frozenset(f[0] for f in fields if "master" in f[2].split(",") and len(f) > 8)

    def follows(self, master: ClusterNode) -> bool:
        """This node is a replica of that one (and says so itself)."""
        role = self.run("ROLE")
        return bool(role[0] == "slave" and int(role[2]) == master.port)

    def kill(self) -> None:
        """SIGKILL: the node dies at once, writing nothing more (its process is reaped later,
        by LocalCluster.fail_over or ensure_running)."""
        os.kill(self.process.pid or 0, signal.SIGKILL)


class LocalCluster:
    """`masters` masters with `replicas` replicas each; stop() ends every node. With
    `appendonly`, a node that is stopped and started again comes back with its data."""

    def __init__(
        self,
        binary: str,
        work_dir: Path,
        *,
        masters: int = 3,
        replicas: int = 1,
        node_timeout_ms: int = NODE_TIMEOUT_MS,
        appendonly: bool = False,
    ) -> None:
        count = masters * (1 + replicas)
        self.nodes = [
            ClusterNode(binary, work_dir / f"node-{i}", node_timeout_ms, appendonly=appendonly)
            for i in range(count)
        ]
        self.masters = self.nodes[:masters]
        self.replicas = self.nodes[masters:]
        self._heirs: dict[int, ClusterNode] = {}  # a killed master's port -> its replica

    @property
    def url(self) -> str:
        """The cluster URL the bot takes, naming the first master as the seed."""
        return f"redis+cluster://127.0.0.1:{self.masters[0].port}"

    def start(self) -> None:
        try:
            for node in self.nodes:
                node.process.spawn()
            for node in self.nodes:
                node.process.wait_ready()
            self._form()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for node in self.nodes:
            node.admin.close()
            node.process.stop()

    def ensure_running(self) -> None:
        """Start again any node a test stopped, and wait until the cluster is whole."""
        stopped = [node for node in self.nodes if not node.process.running]
        for node in stopped:
            node.process.stop()  # reap it
            node.process.start()
        if stopped:
            wait_for(
                lambda: all(node.known_nodes() == len(self.nodes) for node in self.nodes),
                "every node knows every other node",
            )
        self.wait_healthy()

    def wait_healthy(self) -> None:
        """Every running node sees the whole cluster, with every slot served, and all agree on
        which masters serve them. cluster_state:ok alone is not enough: just after a fail-over,
        or a node's restart, a node can say ok while its view is behind, and a client that
        learns the layout from it keeps sending to the dead master, or writes to a replica
        (ReadOnlyError)."""
        running = [node for node in self.nodes if node.process.running]
        wait_for(
            lambda: all(node.info().get("cluster_state") == "ok" for node in running),
            "cluster_state:ok on every node",
        )
        wait_for(
            lambda: len({node.serving_masters() for node in running}) == 1,
            "every node agrees which masters serve the slots",
        )

    def node_at(self, port: int) -> ClusterNode:
        """The node listening on that port (e.g. the one a client says serves a key)."""
        return next(node for node in self.nodes if node.port == port)

    def kill_master(self, master: ClusterNode) -> None:
        """SIGKILL a master, noting which replica is to take over from it (fail_over)."""
        others = [node for node in self.nodes if node is not master and node.process.running]
        self._heirs[master.port] = next(node for node in others if node.follows(master))
        master.kill()

    def fail_over(self, master: ClusterNode) -> ClusterNode:
        """Make the replica of a master killed by kill_master take over at once, as the cluster
        would by itself after the node timeout (unless it already has), and return it once
        every running node agrees and every slot is served. The old master is reaped;
        ensure_running() starts it again, and it rejoins as a replica of the new one."""
        replica = self._heirs.pop(master.port)
        if replica.role() != "master":
            with suppress(ResponseError):  # unless it takes over by itself meanwhile
                replica.run("CLUSTER", "FAILOVER", "TAKEOVER")
        wait_for(lambda: replica.role() == "master", "the replica takes over")
        new_master = replica.node_id
        others = [node for node in self.nodes if node is not master and node.process.running]
        # Every node must see it serving the old master's slots, not only flagged a master:
        # a node that has not caught up yet hands clients a layout with the dead master in it.
        wait_for(
            lambda: all(new_master in node.serving_masters() for node in others),
            "every node sees the replica serving the dead master's slots",
        )
        master.process.stop()
        self.wait_healthy()
        return replica

    def _form(self) -> None:
        self._assign_slots()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            first.run("CLUSTER", "MEET", "127.0.0.1", node.port)
        wait_for(
            lambda: all(node.known_nodes() == len(self.nodes) for node in self.nodes),
            "every node knows every other node",
        )
        for index, replica in enumerate(self.replicas):
            master = self.masters[index % len(self.masters)]
            master_id = master.node_id
            wait_for(partial(sees_as_master, replica, master_id), "replicas see masters")
            replica.run("CLUSTER", "REPLICATE", master_id)
        wait_for(lambda: all(r.role() == "slave" for r in self.replicas), "replicas follow")
        self.wait_healthy()

    def _assign_slots(self) -> None:
        share = SLOTS // len(self.masters)
        new_enough = version_of(self.masters[0]) >= (7,)
        for index, master in enumerate(self.masters):
            first = index * share
            last = SLOTS - 1 if index == len(self.masters) - 1 else first + share - 1
            if new_enough:
                master.run("CLUSTER", "ADDSLOTSRANGE", first, last)
            else:
                master.run("CLUSTER", "ADDSLOTS", *range(first, last + 1))


def sees_as_master(node: ClusterNode, master_id: str) -> bool:
    """The node knows that one as a master (CLUSTER REPLICATE refuses otherwise; after a
    fail-over, clients only find the new master once the nodes they ask agree)."""
    nodes = str(node.run("CLUSTER", "NODES"))
    return any(line.startswith(master_id) and "master" in line for line in nodes.splitlines())
