"""A TCP proxy between the bot and Redis that restarts Redis at one exact command.

Armed with a byte pattern (e.g. the SHA of the store's atomic profile script), it restarts
Redis either just BEFORE that command reaches it (the write never happens) or just AFTER Redis
has answered it (the write happened, but the reply never reaches the bot). Either way the
bot's connection then drops, as when a real Redis dies mid-command.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import Enum

from tests.redis_server import RedisServer, free_port


class Cut(Enum):
    BEFORE = "before"  # the command never reaches Redis
    AFTER = "after"  # Redis applies it; its reply is lost


@dataclass
class Trap:
    pattern: bytes
    cut: Cut
    restart: asyncio.Task[None] | None = None

    async def sprung(self) -> bool:
        """Whether the trap went off; waits for its restart of Redis to finish."""
        if self.restart is None:
            return False
        await self.restart
        return True


@dataclass
class _Line:
    """One client connection and its upstream."""

    client_r: asyncio.StreamReader
    client_w: asyncio.StreamWriter
    server_r: asyncio.StreamReader
    server_w: asyncio.StreamWriter
    swallow: bool = False  # replies are dropped from now on
    replied: asyncio.Event = field(default_factory=asyncio.Event)


class RedisProxy:
    """Forwards 127.0.0.1:<port> to the server; `arm()` sets one trap."""

    def __init__(self, server: RedisServer) -> None:
        self.server = server
        self.port = free_port()
        self._trap: Trap | None = None
        self._listener: asyncio.Server | None = None
        self._lines: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def arm(self, pattern: bytes, cut: Cut) -> Trap:
        self._trap = Trap(pattern, cut)
        return self._trap

    async def start(self) -> None:
        self._listener = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for task in list(self._lines):
            task.cancel()
        await asyncio.gather(*self._lines, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._lines.add(task)
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.server.port)
        except OSError:
            client_w.close()
            self._lines.discard(task)
            return
        line = _Line(client_r, client_w, server_r, server_w)
        pumps = {asyncio.create_task(self._up(line)), asyncio.create_task(self._down(line))}
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            client_w.close()
            server_w.close()
            self._lines.discard(task)

    async def _up(self, line: _Line) -> None:
        while chunk := await line.client_r.read(65536):
            trap = self._trap
            if trap is not None and trap.pattern in chunk:
                self._trap = None
                if trap.cut is Cut.AFTER:
                    line.swallow = True
                    line.server_w.write(chunk)
                    await line.server_w.drain()
                    await line.replied.wait()  # applied (appendfsync always: on disk too)
                # Shielded: the restart outlives this connection, which it closes.
                trap.restart = asyncio.create_task(asyncio.to_thread(self.server.restart))
                await asyncio.shield(trap.restart)
                return
            line.server_w.write(chunk)
            await line.server_w.drain()

    async def _down(self, line: _Line) -> None:
        while chunk := await line.server_r.read(65536):
            if line.swallow:
                line.replied.set()
                continue
            line.client_w.write(chunk)
            await line.client_w.drain()


@asynccontextmanager
async def proxy_for(server: RedisServer) -> AsyncIterator[RedisProxy]:
    proxy = RedisProxy(server)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
