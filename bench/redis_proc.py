"""A throwaway redis-server for the benchmark: unix socket, no persistence, pinned if possible.

The process is started and stopped by the project's one launcher (bot/storage/redis_server.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.common import pin
from bot.storage.redis_server import RedisProcess, ServerConfig


class BenchRedis:
    """``redis-server --save "" --appendonly no`` on a unix socket in a temporary folder."""

    def __init__(self, cpu: int | None = None) -> None:
        self._cpu = cpu
        self._folder = tempfile.TemporaryDirectory(prefix="twitchcare-scale-")
        folder = Path(self._folder.name)
        self._process = RedisProcess(ServerConfig(folder, unix_socket=folder / "redis.sock"))

    @property
    def url(self) -> str:
        return self._process.config.url

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def start(self) -> None:
        self._process.start()
        pin(self._cpu, self.pid)

    def stop(self) -> None:
        self._process.stop()
        self._folder.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
