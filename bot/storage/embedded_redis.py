"""A private redis-server for running the bot without TWITCHCARE_REDIS_URL.

The server keeps its data in the bot's data directory with AOF on, listens only on a unix
socket there (TCP disabled), and is shut down gracefully so the AOF is flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self

from bot.storage.redis_server import (
    STOP_TIMEOUT,
    RedisProcess,
    RedisServerError,
    ServerConfig,
    find_redis_server,
)

log = logging.getLogger(__name__)

SOCKET_NAME: Final = "redis.sock"
LOCK_NAME: Final = "embedded-redis.lock"
# sun_path holds 108 bytes on Linux and 104 on macOS; stay clear of both.
MAX_SOCKET_PATH: Final = 100
# How long a gone bot's server gets to exit by itself (its parent-death signal) before SIGTERM.
STALE_GRACE: Final = 2.0
LOCK_POLL: Final = 0.05


class EmbeddedRedis:
    """Runs redis-server on a unix socket with AOF persistence in data_dir."""

    def __init__(self, data_dir: Path | str, *, binary: str | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser().absolute()
        self._binary = binary
        self._server: RedisProcess | None = None
        self._lock: IO[bytes] | None = None
        self._socket_dir: Path | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RedisServerError("embedded redis-server is not running")
        return self._server.config.url

    @property
    def pid(self) -> int | None:
        return self._server.pid if self._server else None

    async def start(self) -> str:
        """Start redis-server and wait until it accepts connections; returns its unix:// URL."""
        if self._server is not None:
            raise RedisServerError("embedded redis-server is already running")
        binary = self._binary or find_redis_server()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = await _lock_data_dir(self.data_dir)
        try:
            await self._spawn(binary, self._socket_path())
        except BaseException:
            await self._cleanup()
            raise
        log.info("embedded redis-server %s ready, data in %s", self.pid, self.data_dir)
        return self.url

    async def stop(self) -> None:
        """Shut down gracefully (AOF flushed); kill the server if it does not exit in time."""
        await self._cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _socket_path(self) -> Path:
        path = self.data_dir / SOCKET_NAME
        if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
            return path
        # The data dir is too deep for a unix socket: use a private (0700) temporary dir.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="twitchcare-redis-"))
        path = self._socket_dir / SOCKET_NAME
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            raise RedisServerError(f"temporary directory path too long for a socket: {path}")
        return path

    async def _spawn(self, binary: str, socket_path: Path) -> None:
        assert self._lock is not None
        config = ServerConfig(self.data_dir, unix_socket=socket_path, appendonly=True)
        self._server = RedisProcess(
            config,
            binary=binary,
            # The server inherits the lock, so it guards the dir even if the bot dies first.
            pass_fds=(self._lock.fileno(),),
            # Its own session: Ctrl-C reaches the bot, which then stops the server in order.
            own_session=True,
        )
        self._server.spawn()
        assert self._server.pid is not None
        _write_lock_owner(self._lock, self._server.pid)
        await asyncio.to_thread(self._server.wait_ready)

    async def _cleanup(self) -> None:
        if self._server is not None:
            await self._server.stop_async()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
        self._server = self._lock = self._socket_dir = None


async def _lock_data_dir(data_dir: Path) -> IO[bytes]:
    """Hold an exclusive lock on the data dir, or say who holds it.

    A server whose bot is gone (killed before it could stop it, on a system without a
    parent-death signal, or still flushing after one) is stopped and its lock awaited, so a
    supervisor's restart after a crash starts cleanly with the same data.
    """
    lock = (data_dir / LOCK_NAME).open("a+b")
    if _try_lock(lock):
        return lock
    server, owner = _lock_holders(lock)
    if owner is not None and _alive(owner):
        lock.close()
        raise RedisServerError(
            f"another redis-server (pid {server or 'unknown'}) is still using {data_dir}; "
            "stop it (or the bot that started it) and try again"
        )
    log.warning("the redis-server of a bot that is gone still holds the data dir; stopping it")
    if await _await_lock(lock, STALE_GRACE) or (
        _terminate_server(server) and await _await_lock(lock, STOP_TIMEOUT)
    ):
        return lock
    lock.close()
    raise RedisServerError(
        f"a stale redis-server (pid {server or 'unknown'}) still holds {data_dir} "
        f"after {STOP_TIMEOUT:.0f} s; stop it and try again"
    )


def _try_lock(lock: IO[bytes]) -> bool:
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


async def _await_lock(lock: IO[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _try_lock(lock):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(LOCK_POLL)
    return True


def _lock_holders(lock: IO[bytes]) -> tuple[int | None, int | None]:
    """(server pid, owning bot pid) as written by the owner; None where unknown."""
    lock.seek(0)
    fields = lock.read().decode(errors="replace").split()
    pids: list[int | None] = [int(field) for field in fields[:2] if field.isdigit()]
    pids += [None, None]
    return pids[0], pids[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate_server(pid: int | None) -> bool:
    """SIGTERM the pid only if it really is a redis-server (a pid can be reused)."""
    if pid is None:
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if b"redis-server" not in command and b"valkey-server" not in command:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    return True


def _write_lock_owner(lock: IO[bytes], pid: int) -> None:
    lock.seek(0)
    lock.truncate()
    lock.write(f"{pid} {os.getpid()}\n".encode())
    lock.flush()
