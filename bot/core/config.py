"""One typed Settings object, read from TWITCHCARE_* environment variables or a .env file."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.storage.client import check_redis_url
from scheduler.ratelimit import bulk_can_send, min_global_rate
from scheduler.timing import EVENING_GRACE

ENV_PREFIX = "TWITCHCARE_"
# The locale every other one is checked against, and the one people get when theirs is missing.
DEFAULT_LOCALE = "en"
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a webhook secret token.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# BotFather tokens look like 123456789:AA...; checking the shape catches pasting mistakes early.
_BOT_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "twitchcare"


class SettingsError(Exception):
    """A configuration problem, already phrased as one line per bad variable."""


class Settings(BaseSettings):
    """Everything the operator can configure. Built once at start-up and passed down."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr | None = None
    redis_url: str | None = None
    data_dir: Path = Field(default_factory=_default_data_dir)
    content_dir: Path | None = None
    default_locale: str = DEFAULT_LOCALE
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = ()
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # The path Telegram posts to; None: the webhook URL's own path (or /telegram if it has none).
    webhook_path: str | None = None
    # The Mini App "My diary" (ARCHITECTURE §11): its public URL (the page under /app/ of this
    # server), how old Telegram's signed initData may be, and, in polling mode, the port the
    # small web server serving it listens on (webhook mode serves it on the webhook's port).
    webapp_url: AnyHttpUrl | None = None
    webapp_max_age: int = Field(default=86400, ge=60, le=7 * 86400)
    webapp_port: int = Field(default=8080, ge=1, le=65535)
    # The internal ops listener (/healthz, /metrics; never on the public server): keep it off
    # the internet. A container sets 0.0.0.0 and does not publish the port.
    ops_listen: str = "127.0.0.1"
    ops_port: int = Field(default=9090, ge=1, le=65535)
    # /healthz answers 503 once the oldest due nudge is this late: the replicas are not keeping up.
    health_max_lag_seconds: float = Field(default=300.0, gt=0, allow_inf_nan=False)
    # A local Bot API server (or the emulator); None means Telegram's own.
    api_base_url: str | None = None
    api_file_url: str | None = None
    # The scheduler: how often each process looks for due nudges (0: never, e.g. in tests that
    # tick by hand), how many queue shards all processes share, and Telegram's flood limits.
    tick_seconds: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    queue_shards: int = Field(default=16, ge=1, le=1024)
    # Scheduled sends in flight at once in one process.
    send_concurrency: int = Field(default=50, ge=1, le=1000)
    rate_limit: bool = True
    global_rate: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    # Paid broadcast (opt-in, costs Stars): a scheduled message already more than
    # PAID_BROADCAST_AFTER_SECONDS late when its turn comes is marked allow_paid_broadcast and
    # goes out at up to PAID_RATE a second, until PAID_BROADCAST_DAILY_BUDGET messages were paid
    # for that UTC day (counted in Redis, shared by every replica); then free again.
    paid_broadcast: bool = False
    paid_broadcast_daily_budget: int = Field(default=10_000, ge=0)
    paid_broadcast_after_seconds: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    paid_rate: float = Field(default=1000.0, gt=0, le=1000.0, allow_inf_nan=False)
    clock_speed: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    clock_start: datetime | None = None
    # A fast or shifted clock keeps its position in the data dir; false starts it afresh.
    clock_resume: bool = True

    @property
    def webapp_page(self) -> str | None:
        """The Mini App's page URL as buttons open it, or None when the Mini App is off."""
        return str(self.webapp_url) if self.webapp_url is not None else None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.match(value.get_secret_value()):
            raise ValueError("does not look like a BotFather token (digits, a colon, then letters)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ or -")
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value:
            check_redis_url(value)
        return value or None

    @field_validator("webhook_path")
    @classmethod
    def _path_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must start with /, e.g. /telegram")
        return value or None

    @field_validator("tick_seconds")
    @classmethod
    def _tick_in_time(cls, value: float, info: ValidationInfo) -> float:
        grace = EVENING_GRACE.total_seconds()
        if value > grace:
            raise ValueError(f"must be at most {grace:g}: later wind-down nudges are dropped")
        max_lag = info.data.get("health_max_lag_seconds")
        if max_lag is not None and value >= max_lag:
            raise ValueError(
                "must be below TWITCHCARE_HEALTH_MAX_LAG_SECONDS, or /healthz fails between ticks"
            )
        return value

    @field_validator("global_rate")
    @classmethod
    def _rate_grants_sends(cls, value: float, info: ValidationInfo) -> float:
        if info.data.get("rate_limit", True) and not bulk_can_send(value):
            raise ValueError(
                f"must be at least {min_global_rate():g} with the rate limit on: "
                "below that no scheduled nudge ever gets its turn"
            )
        return value

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("must include a UTC offset, e.g. 2026-03-27T07:00:00+00:00")
        return value


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning validation errors into one clear line per variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    """Name each bad variable as the operator wrote it, never echoing secret values."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{ENV_PREFIX}{field.upper()}: {message}")
    return "\n".join(lines)
