"""Catching what reaches the bot's error handler, without pytest's function-scoped caplog
(hypothesis runs many examples inside one test function)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Failures(logging.Handler):
    """Every record bot.errors logs: one per update that ended in the error handler."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def take(self) -> list[str]:
        taken, self.messages = self.messages, []
        return taken


@contextmanager
def error_handler_calls() -> Iterator[Failures]:
    """Collect the error handler's log records while the block runs."""
    logger = logging.getLogger("bot.chat.errors")
    failures = Failures()
    logger.addHandler(failures)
    try:
        yield failures
    finally:
        logger.removeHandler(failures)
