"""Who is asking, proven by Telegram's signed initData; and the guards every write passes.

The person's id only ever comes from the signed `user` field: never from the body or the URL,
so one person can never reach another's rows (ARCHITECTURE §11). A refusal logs its reason
only: no initData, name or id.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from starlette.requests import Request

from bot.core.context import App, Services
from bot.domain.initdata import InitDataError, WebAppUser, verify_init_data
from bot.domain.models import Profile
from bot.storage.nonces import Nonces
from bot.texts.content import Content
from bot.webapp.errors import ApiError

log = logging.getLogger(__name__)

SCHEME: Final = "tma "
NONCE_HEADER: Final = "X-TwitchCare-Nonce"
_NONCE: Final = re.compile(r"^[0-9a-f]{32,128}$")
# A write's JSON body is a few hundred bytes.
MAX_BODY: Final = 16 * 1024


@dataclass(frozen=True)
class Caller:
    """The signed person, their profile (None before consent), and the texts in their language."""

    user: WebAppUser
    profile: Profile | None
    content: Content

    @property
    def user_id(self) -> int:
        return self.user.id


def services_of(request: Request) -> Services:
    app: App = request.app.state.bot
    return app.bot_data.services


async def caller(request: Request) -> Caller:
    """The person the request's initData proves, or 401."""
    svc = services_of(request)
    header = request.headers.get("authorization", "")
    token = svc.settings.bot_token
    if not header.startswith(SCHEME) or token is None:
        raise _unauthorized("no_credentials")
    try:
        user = verify_init_data(
            header.removeprefix(SCHEME),
            token.get_secret_value(),
            now=svc.clock.now(),
            max_age=timedelta(seconds=svc.settings.webapp_max_age),
        )
    except InitDataError as exc:
        raise _unauthorized(exc.refusal.value) from None
    profile = await svc.store.get_profile(user.id)
    locale = profile.locale if profile else svc.content.locale_for(user.language_code)
    return Caller(user=user, profile=profile, content=svc.content.in_locale(locale))


def _unauthorized(reason: str) -> ApiError:
    log.info("mini app: unauthorized (%s)", reason)
    return ApiError(401, "unauthorized")


async def writer(request: Request) -> tuple[Caller, dict[str, Any]]:
    """A write's caller and JSON body, once it passed every guard: same origin (403), signed
    initData (401), JSON (415), a fresh nonce (409), a JSON object (400)."""
    _same_origin(request)
    who = await caller(request)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ApiError(415, "unsupported_media_type", who.content.ui.error_generic)
    nonce = request.headers.get(NONCE_HEADER, "")
    if not _NONCE.match(nonce):
        raise ApiError(400, "bad_nonce", who.content.ui.error_generic)
    svc = services_of(request)
    if not await Nonces(svc.store.redis).first_use(nonce, svc.settings.webapp_max_age):
        raise ApiError(409, "replayed", who.content.ui.error_generic)
    body = await request.body()
    try:
        data = json.loads(body) if len(body) <= MAX_BODY else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", who.content.ui.webapp_bad_input)
    return who, data


def _same_origin(request: Request) -> None:
    """A browser names the page that sent a request in Origin: only our own page may write."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    url = services_of(request).settings.webapp_url
    own = urlsplit(str(url)) if url is not None else urlsplit(str(request.base_url))
    if origin != f"{own.scheme}://{own.netloc}":
        log.info("mini app: a write from another origin refused")
        raise ApiError(403, "forbidden")
