"""Telegram Mini App `initData`: check its signature and age; who sent it (ARCHITECTURE §11).

As Telegram's Web Apps documentation specifies ("Validating data received via the Mini App"):
the secret key is HMAC-SHA-256 of the bot token keyed with the constant "WebAppData"; the data
check string is every received field except `hash` (so `signature`, Telegram's Ed25519
signature for third parties, is included), sorted by key, as `key=value` lines joined by "\\n";
`hash` must be the hex HMAC-SHA-256 of that string keyed with the secret key. `auth_date` says
when Telegram signed it: older than the maximum age, or in the future, it is refused.

Pure: no I/O; the caller passes the bot's clock. Errors name the reason only, never the data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import parse_qsl

# Real initData is well under 2 KB (a user with a photo URL); anything far bigger is not one.
MAX_LENGTH: Final = 8192
MAX_FIELDS: Final = 32
# A client's clock may run a little ahead of ours.
FUTURE_SKEW: Final = timedelta(seconds=60)
_HEX_DIGEST: Final = 64


class Refusal(StrEnum):
    """Why initData was refused: safe to log, names nothing about the person."""

    MALFORMED = "malformed"
    NO_HASH = "no_hash"
    BAD_HASH = "bad_hash"
    NO_AUTH_DATE = "no_auth_date"
    EXPIRED = "expired"
    FUTURE = "future"
    NO_USER = "no_user"


class InitDataError(Exception):
    """initData that does not prove who sent it."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class WebAppUser:
    """The signed sender: their Telegram id and the language their client uses."""

    id: int
    language_code: str | None
    auth_date: datetime


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but `hash`, sorted by key, as key=value lines."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def verify_init_data(raw: str, bot_token: str, *, now: datetime, max_age: timedelta) -> WebAppUser:
    """The sender of `raw` if Telegram signed it for this bot within `max_age` of `now`."""
    fields = _fields(raw)
    received = fields.get("hash")
    if received is None:
        raise InitDataError(Refusal.NO_HASH)
    expected = hmac.new(
        secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()
    if len(received) != _HEX_DIGEST or not hmac.compare_digest(expected, received.lower()):
        raise InitDataError(Refusal.BAD_HASH)
    signed_at = _auth_date(fields)
    if signed_at > now + FUTURE_SKEW:
        raise InitDataError(Refusal.FUTURE)
    if now - signed_at > max_age:
        raise InitDataError(Refusal.EXPIRED)
    user_id, language = _user(fields)
    return WebAppUser(id=user_id, language_code=language, auth_date=signed_at)


def _fields(raw: str) -> dict[str, str]:
    """The query string's fields; a repeated key is refused (which one was signed?)."""
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataError(Refusal.MALFORMED)
    try:
        pairs = parse_qsl(
            raw, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS
        )
    except ValueError:
        raise InitDataError(Refusal.MALFORMED) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError(Refusal.MALFORMED)
    return fields


def _auth_date(fields: dict[str, str]) -> datetime:
    text = fields.get("auth_date", "")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise InitDataError(Refusal.NO_AUTH_DATE)
    return datetime.fromtimestamp(int(text), UTC)


def _user(fields: dict[str, str]) -> tuple[int, str | None]:
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        raise InitDataError(Refusal.NO_USER) from None
    if not isinstance(user, dict):
        raise InitDataError(Refusal.NO_USER)
    user_id = user.get("id")
    if type(user_id) is not int or user_id <= 0:
        raise InitDataError(Refusal.NO_USER)
    language = user.get("language_code")
    return user_id, language if isinstance(language, str) else None
