"""Sign Mini App initData as Telegram does, for tests (API and browser) to open the app as someone.

Written from Telegram's documentation independently of `bot/domain/initdata.py`, so a mistake
in the verifier cannot hide behind the same mistake here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import quote, urlencode


def sign_fields(token: str, fields: dict[str, str]) -> str:
    """`fields` plus their `hash`, url-encoded as a Telegram client passes them."""
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def signed_init_data(
    token: str,
    user_id: int,
    *,
    auth_date: int,
    first_name: str = "Test",
    language_code: str = "en",
) -> str:
    """A raw initData string for `user_id`, signed with `token`, as Telegram would send it."""
    user = {
        "id": user_id,
        "first_name": first_name,
        "language_code": language_code,
        "allows_write_to_pm": True,
    }
    fields = {
        "query_id": f"AAE{user_id:x}test",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(auth_date),
        # Telegram's Ed25519 signature for third parties; covered by `hash` like every field.
        "signature": "dGVzdC1zaWduYXR1cmU",
    }
    return sign_fields(token, fields)
