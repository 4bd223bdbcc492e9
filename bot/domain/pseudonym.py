"""A stable stand-in for a person in logs and /stats, never their Telegram id."""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

_PSEUDONYM_LENGTH: Final = 12


def pseudonym(user_id: int, key: str) -> str:
    """A stable stand-in for a person in logs and /stats: a keyed hash (the key is the bot's
    token, so it is the same on every replica), never the id itself. Unkeyed, a hash of a
    Telegram id could be reversed by trying every id."""
    digest = hmac.new(key.encode(), str(int(user_id)).encode(), hashlib.sha256)
    return digest.hexdigest()[:_PSEUDONYM_LENGTH]
