"""HTTP routes: `/bot<token>/<method>` and `/file/bot<token>/<path>`, plus fault injection."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from telegram import Bot

from devtools.emulator.api_bot import BOT_METHODS
from devtools.emulator.api_messages import MESSAGE_METHODS, Handler
from devtools.emulator.core import Core
from devtools.emulator.errors import (
    METHOD_NOT_FOUND,
    UNAUTHORIZED,
    ApiError,
    forbidden,
    too_many_requests,
)
from devtools.emulator.faults import Fault, FaultKind
from devtools.emulator.params import Params, read_params

METHODS: dict[str, Handler] = {**BOT_METHODS, **MESSAGE_METHODS}
# Telegram's method names are case-insensitive. Calls are recorded under the name the Bot API
# documents (python-telegram-bot's camelCase aliases), whatever case the client sent.
_CANONICAL: dict[str, str] = {
    name.lower(): name for name in dir(Bot) if name[:1].islower() and name != name.lower()
}


def canonical(method: str) -> str:
    """The Bot API's spelling of a method name, e.g. "sendmessage" -> "sendMessage"."""
    return _CANONICAL.get(method.lower(), method)


MAX_REQUEST_BYTES = 60 * 1024 * 1024


def _reply(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status)


class HungRequests:
    """Requests held without an answer (the `timeout` and `hang` faults) until released."""

    def __init__(self) -> None:
        self._release = asyncio.Event()
        self._changed = asyncio.Condition()
        self.count = 0

    async def hold(self) -> None:
        async with self._changed:
            self.count += 1
            self._changed.notify_all()
        try:
            await self._release.wait()
        finally:
            self.count -= 1

    async def wait_for(self, count: int) -> None:
        """Return once at least `count` requests are being held."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.count >= count)

    def release(self) -> None:
        self._release.set()
        self._release = asyncio.Event()


class ApiServer:
    """Routes requests to Bot API method handlers, applying injected faults first."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.hung = HungRequests()

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        return app

    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        try:
            if request.match_info["token"] != self.core.token:
                raise UNAUTHORIZED
            name = request.match_info["method"]
            handler = METHODS.get(name.lower())
            if handler is None:
                raise METHOD_NOT_FOUND
            params = await read_params(request)
            self.core.log(canonical(name), params)
            fault = self.core.faults.take(name, _chat_id(params))
            if fault is not None:
                return await self._faulty(fault, handler, params, request)
            return _reply(await handler(self.core, params))
        except ApiError as error:
            return _error(error)

    async def _faulty(
        self, injected: Fault, handler: Handler, params: Params, request: web.Request
    ) -> web.StreamResponse:
        fault = injected.kind
        if fault is FaultKind.FLOOD:
            raise too_many_requests(injected.retry_after)
        if fault is FaultKind.FORBIDDEN:
            raise forbidden("bot was blocked by the user")
        if fault is FaultKind.SERVER_ERROR:
            raise ApiError(502, "Bad Gateway")
        if fault is FaultKind.MIGRATED:
            raise ApiError(400, MIGRATED, migrate_to_chat_id=-1_000_000_000_000 - params.chat_id())
        if fault is FaultKind.HANG:
            await self.hung.hold()
        if fault in (FaultKind.DISCONNECT, FaultKind.HANG):
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=499)
        try:
            response = _reply(await handler(self.core, params))
        except ApiError as error:
            response = _error(error)
        await self.hung.hold()
        return response

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.core.token:
            return _error(UNAUTHORIZED)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        file = self.core.store.files.get(file_id)
        if file is None:
            return _error(ApiError(404, "Not Found"))
        return web.Response(
            body=file.data, content_type=file.mime_type or "application/octet-stream"
        )


def _chat_id(params: Params) -> int | None:
    try:
        return params.integer("chat_id")
    except ApiError:
        return None
