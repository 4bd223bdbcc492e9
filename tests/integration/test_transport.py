"""H11Request (scheduler.transport) against a real local HTTP/1.1 server whose every answer the
test scripts: connection reuse, a server closing idle connections, responses cut off midway,
read and pool timeouts, and PTB's error mapping on top. No sleeps: a test that needs the server
to hold an answer waits on an event it sets itself."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from scheduler.transport import H11Request, Timeouts


@dataclass
class Script:
    """What the server does with the next request: answer (keep-alive or not), answer and then
    close, send half the body and close, hold the answer until `release` is set, or close."""

    kind: str = "ok"
    status: int = 200
    payload: dict[str, object] = field(default_factory=lambda: {"ok": True, "result": True})


@dataclass
class ScriptedServer:
    scripts: list[Script] = field(default_factory=list)
    connections: int = 0
    requests: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    heads: list[bytes] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while await self._one(reader, writer):
                pass
        finally:
            writer.close()
            await writer.wait_closed()
            self.closed.set()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed the connection
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        await reader.readexactly(length)
        self.heads.append(head)
        self.requests += 1
        script = self.scripts.pop(0) if self.scripts else Script()
        body = json.dumps(script.payload).encode()
        if script.kind == "hold":
            self.held.set()
            await self.release.wait()
        if script.kind == "drop":
            return False
        if script.kind == "half":
            writer.write(_head(script.status, len(body) + 100) + body)
            await writer.drain()
            return False
        close = script.kind in ("close", "close-header")
        extra = b"Connection: close\r\n" if script.kind == "close-header" else b""
        writer.write(_head(script.status, len(body), extra) + body)
        await writer.drain()
        return not close


def _head(status: int, length: int, extra: bytes = b"") -> bytes:
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n".encode()
        + extra
        + b"\r\n"
    )


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    listening = await asyncio.start_server(scripted.serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    scripted.url = f"http://127.0.0.1:{port}/bot123:abc/sendMessage"
    async with listening:
        yield scripted
        scripted.release.set()


@pytest.fixture
async def request_() -> AsyncIterator[H11Request]:
    async with H11Request(pool_size=4, timeouts=Timeouts(read=2.0, pool=2.0)) as request:
        yield request


async def test_sequential_requests_share_one_connection(
    server: ScriptedServer, request_: H11Request
) -> None:
    for _ in range(3):
        assert await request_.post(server.url) is True
    assert (server.connections, server.requests) == (1, 3)
    port = server.url.split(":")[2].split("/")[0]
    assert f"\r\nHost: 127.0.0.1:{port}\r\n".encode() in server.heads[0]  # not the default port


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """The server (a thread) answers keep-alive, then closes. The client's event loop does not
    run between that close and the next request, so only asking the socket itself notices."""
    closed = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as listening:
        url = f"http://127.0.0.1:{listening.getsockname()[1]}/bot1:a/getMe"
        serving = threading.Thread(target=_answer_and_close, args=(listening, 2, closed))
        serving.start()

        async def twice() -> list[object]:
            async with H11Request(timeouts=Timeouts(read=5.0)) as request:
                first = await request.post(url)
                assert closed.wait(5)  # blocks the loop on purpose: no chance to see the EOF
                return [first, await request.post(url)]

        try:
            assert asyncio.run(twice()) == [True, True]
        finally:
            serving.join(10)


def _answer_and_close(listening: socket.socket, times: int, closed: threading.Event) -> None:
    """Accept `times` connections; answer one request on each, keep-alive, then close it."""
    listening.settimeout(10)
    for _ in range(times):
        connection, _ = listening.accept()
        with connection:
            received = b""
            while b"\r\n\r\n" not in received:
                received += connection.recv(65536)
            body = json.dumps({"ok": True, "result": True}).encode()
            connection.sendall(_head(200, len(body)) + body)
        closed.set()


async def test_connection_close_from_the_server_is_honoured(
    server: ScriptedServer, request_: H11Request
) -> None:
    server.scripts = [Script("close-header")]
    assert await request_.post(server.url) is True
    assert await request_.post(server.url) is True
    assert server.connections == 2


async def test_a_response_cut_off_midway_is_a_network_error_and_drops_the_connection(
    server: ScriptedServer, request_: H11Request
) -> None:
    server.scripts = [Script("half")]
    with pytest.raises(NetworkError) as raised:
        await request_.post(server.url)
    assert not isinstance(raised.value, TimedOut)
    assert await request_.post(server.url) is True
    assert server.connections == 2


async def test_a_connection_dropped_before_the_answer_is_a_network_error(
    server: ScriptedServer, request_: H11Request
) -> None:
    server.scripts = [Script("drop")]
    with pytest.raises(NetworkError) as raised:
        await request_.post(server.url)
    assert not isinstance(raised.value, TimedOut)
    assert await request_.post(server.url) is True


async def test_no_answer_within_the_read_timeout_is_timed_out(server: ScriptedServer) -> None:
    server.scripts = [Script("hold")]
    async with H11Request(timeouts=Timeouts(read=0.2)) as request:
        with pytest.raises(TimedOut):
            await request.post(server.url)
        server.release.set()
        assert await request.post(server.url) is True  # on a fresh connection
    assert server.connections == 2


async def test_a_full_pool_times_out_waiting_for_a_place(server: ScriptedServer) -> None:
    server.scripts = [Script("hold")]
    async with H11Request(pool_size=1, timeouts=Timeouts(pool=0.2)) as request:
        first = asyncio.create_task(request.post(server.url))
        await asyncio.wait_for(server.held.wait(), 5)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.post(server.url)
        server.release.set()
        assert await first is True
    assert server.requests == 1


async def test_telegram_errors_are_mapped_by_ptb(
    server: ScriptedServer, request_: H11Request
) -> None:
    server.scripts = [
        Script(status=403, payload={"ok": False, "description": "Forbidden: bot was blocked"}),
        Script(status=429, payload={"ok": False, "parameters": {"retry_after": 7}}),
        Script(status=400, payload={"ok": False, "description": "Bad Request: no text"}),
        Script(status=400, payload={"ok": False, "parameters": {"migrate_to_chat_id": -100}}),
        Script(status=502, payload={"ok": False, "description": "Bad Gateway"}),
    ]
    with pytest.raises(Forbidden, match="blocked"):
        await request_.post(server.url)
    with pytest.raises(RetryAfter):
        await request_.post(server.url)
    with pytest.raises(BadRequest, match="(?i)no text"):
        await request_.post(server.url)
    with pytest.raises(ChatMigrated):
        await request_.post(server.url)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await request_.post(server.url)
    assert server.connections == 1  # error answers keep the connection
