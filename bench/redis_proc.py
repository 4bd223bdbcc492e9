"""A throwaway redis-server for the benchmark: unix socket, no persistence, pinned if possible."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from bench.common import pin
from bot.storage.child_process import die_with_parent
from bot.storage.embedded_redis import READY_LINE, find_redis_server

START_TIMEOUT = 30.0


class BenchRedis:
    """``redis-server --save "" --appendonly no`` on a unix socket in a temporary folder."""

    def __init__(self, cpu: int | None = None) -> None:
        self._cpu = cpu
        self._folder = tempfile.TemporaryDirectory(prefix="twitchcare-scale-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return Path(self._folder.name) / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> None:
        args = [
            find_redis_server(),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._folder.name,
            "--logfile", "",
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        assert self._process.stdout is not None
        _wait_ready(self._process.stdout)
        pin(self._cpu, self._process.pid)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        self._folder.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _wait_ready(out: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    for line in out:
        if READY_LINE in line.lower():
            return
        if time.monotonic() > deadline:
            break
    raise RuntimeError("the benchmark's redis-server did not start")
