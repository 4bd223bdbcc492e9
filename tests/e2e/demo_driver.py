"""`twitchcare demo` as a person uses it: a real process, a line typed, the screen read back.

The driver types a line, then waits (with a bound) until the demo has printed what it expects:
nothing is slept, and nothing is answered before the demo has really shown it.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Self

from bot.storage.child_process import die_with_parent
from devtools.demo import PROMPT

ROOT = Path(__file__).resolve().parents[2]
WAIT = 40.0
BUTTON = re.compile(r"^\s*\[(\d+)\] (.+)$", re.MULTILINE)


class DemoGone(AssertionError):
    """The demo process ended (or went silent) while the test still expected an answer."""


class DemoDriver:
    """One running demo with its output read on a thread into a queue."""

    def __init__(self, data_dir: Path, clock_start: str, *args: str) -> None:
        env = {
            **os.environ,
            "TWITCHCARE_DATA_DIR": str(data_dir),
            "TWITCHCARE_CLOCK_START": clock_start,
        }
        env.pop("TWITCHCARE_REDIS_URL", None)
        env.pop("TWITCHCARE_BOT_TOKEN", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", *args],
            cwd=ROOT, env=env, bufsize=0, preexec_fn=die_with_parent,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert self.process.stdout is not None
        self._chunks: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=_read, args=(self.process.stdout, self._chunks))
        self._reader.start()
        self.screen = ""  # everything printed so far
        self._mark = 0  # where the answer to the last typed line starts

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self._mark = len(self.screen)
        self.process.stdin.write((line + "\n").encode())
        self.process.stdin.flush()

    def expect(self, pattern: str) -> str:
        """Everything printed since the last typed line, once it matches `pattern` and the
        demo is waiting for the next line."""
        self._wait_for(lambda: self._answered(pattern), pattern)
        return self.since_typed

    def _answered(self, pattern: str) -> bool:
        found = re.search(pattern, self.since_typed)
        return found is not None and self.since_typed[found.end() :].endswith(PROMPT)

    def _wait_for(self, done: Callable[[], bool], pattern: str) -> None:
        while not done():
            try:
                chunk = self._chunks.get(timeout=WAIT)
            except queue.Empty:
                raise DemoGone(f"no {pattern!r} within {WAIT:.0f} s:\n{self.since_typed}") from None
            if chunk is None:
                raise DemoGone(f"the demo ended before {pattern!r}:\n{self.screen[-3000:]}")
            self.screen += chunk

    def say(self, line: str, pattern: str) -> str:
        self.type(line)
        return self.expect(pattern)

    @property
    def since_typed(self) -> str:
        return self.screen[self._mark :]

    def number(self, label: str, *, exact: bool = False) -> str:
        """The number the newest button showing `label` (or exactly `label`) has on screen,
        waiting for one to be shown."""
        self._wait_for(lambda: bool(self._numbers(label, exact)), f"a button {label!r}")
        return self._numbers(label, exact)[-1]

    def tap(self, label: str, pattern: str = "", *, exact: bool = False) -> str:
        """Type the number of the button showing `label`; what the demo answers."""
        return self.say(self.number(label, exact=exact), pattern)

    def _numbers(self, label: str, exact: bool) -> list[str]:
        return [
            number
            for number, text in BUTTON.findall(self.screen)
            if (text.strip() == label if exact else label in text)
        ]

    def close(self) -> int:
        """End the input as Ctrl-D would; the demo's exit code."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(WAIT)
        self._reader.join(WAIT)
        while not self._chunks.empty():
            self.screen += self._chunks.get_nowait() or ""
        return code

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:  # Ctrl-D first: the demo stops its own Redis
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                self.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join(WAIT)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def _read(stream: IO[bytes], chunks: queue.Queue[str | None]) -> None:
    """Whatever the demo writes, as soon as it writes it (a prompt has no newline)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while data := os.read(stream.fileno(), 65536):
        chunks.put(decoder.decode(data))
    chunks.put(None)
