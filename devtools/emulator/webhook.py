"""Webhook delivery: POST a pending update to the bot, with the secret header, as Telegram does.

Telegram sends each update to the URL given to setWebhook and keeps retrying it until a call
answers 2xx. Behind a load balancer each try may reach a different replica: tests pass that
replica's address as `url` and play the load balancer themselves.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Final, Literal

from aiohttp import ClientSession, ClientTimeout

from devtools.emulator.core import Core
from devtools.emulator.errors import UserActionError

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
# Telegram waits about a minute for a webhook to answer.
TIMEOUT_SECONDS: Final = 60.0


class Secret(Enum):
    REGISTERED = "registered"  # the secret_token given to setWebhook


SecretChoice = str | None | Literal[Secret.REGISTERED]


async def deliver(
    core: Core, update_id: int, url: str | None, secret: SecretChoice = Secret.REGISTERED
) -> int:
    """One try at delivering a pending update; a 2xx answer acknowledges it. Returns the status."""
    update = core.updates.get(update_id)
    if update is None:
        raise UserActionError(f"update {update_id} is not pending (already acknowledged?)")
    target = url or core.webhook.url
    if not target:
        raise UserActionError("no webhook is set: call setWebhook first, or pass a url")
    headers = {"Content-Type": "application/json"}
    token = core.webhook.secret_token if secret is Secret.REGISTERED else secret
    if token is not None:
        headers[SECRET_HEADER] = token
    async with (
        ClientSession(timeout=ClientTimeout(total=TIMEOUT_SECONDS)) as session,
        session.post(target, data=json.dumps(update), headers=headers) as response,
    ):
        status = response.status
    if 200 <= status < 300:
        await core.updates.acknowledge_one(update_id)
    return status
