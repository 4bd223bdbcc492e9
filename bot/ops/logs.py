"""Logging set-up: never message text or names, and never the bot token or webhook secret."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from typing import Final, TextIO

from bot.core.config import Settings
from bot.domain.clock import Clock, SystemClock

REDACTED = "[REDACTED]"


class RedactSecrets(logging.Filter):
    """Replace secrets wherever they appear in a record, including exception text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self._redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class BotTime(logging.Filter):
    """Stamp each record with the bot's own time, when its clock is not the wall clock."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    def filter(self, record: logging.LogRecord) -> bool:
        record.bot_time = self._clock.now().isoformat(timespec="seconds")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if hasattr(record, "bot_time"):
            entry["bot_time"] = record.bot_time
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(settings: Settings) -> list[str]:
    """The values that must never be written to a log."""
    values = [settings.bot_token, settings.webhook_secret]
    return [v.get_secret_value() for v in values if v is not None]


def configure_logging(
    settings: Settings, stream: TextIO | None = None, *, clock: Clock | None = None
) -> None:
    """Log to stderr (or `stream`) at the configured level, redacting secrets on every handler.

    On a fast or shifted clock every line also carries the bot's own time.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    simulated = clock is not None and not isinstance(clock, SystemClock)
    if clock is not None and simulated:
        handler.addFilter(BotTime(clock))
    text = "%(asctime)s (bot %(bot_time)s) " if simulated else "%(asctime)s "
    handler.setFormatter(
        JsonFormatter()
        if settings.log_json
        else logging.Formatter(text + "%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    quiet_libraries()


# Libraries that log what must never be logged, whatever the configured level: httpx logs every
# request URL at INFO, and Bot API URLs contain the token; python-telegram-bot logs whole updates
# and API calls (message text, first names, the token in its base URL) at DEBUG. Our own DEBUG
# stays available: these only cap the libraries.
LIBRARY_LEVELS: Final[Mapping[str, int]] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
}


def quiet_libraries() -> None:
    """Cap the chatty libraries' log levels; build_application calls this for every host."""
    for name, level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)
