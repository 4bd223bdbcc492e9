"""A minimal, fast Bot API stub: answers every method at once with a canned valid reply.

    .venv/bin/python -m bench.stub_api [--port 0] [--cpu 1]

It prints ``port <n>`` once listening. ``sendMessage`` gets a real-looking ``Message`` (the
chat id taken from the request), ``getMe`` a bot ``User``, anything else ``true``. ``GET
/_stats`` returns how many requests each method got, so a benchmark can count sends from
outside the measured process. A bare asyncio Protocol with keep-alive: a few tens of
microseconds per request, so the stub is never what a throughput number measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections import Counter
from typing import Final

from bench.common import pin

BOT_ID: Final = 7_000_000_001
_METHOD = re.compile(rb"^[A-Z]+ /(?:bot[^/]*/)?([A-Za-z_]+)")
_CHAT_ID = re.compile(rb"chat_id=(-?\d+)|\"chat_id\":\s*(-?\d+)")
_ME: Final = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Bench",
    "username": "bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# A sent Message: message id, date, chat id.
_MESSAGE: Final = (
    b'{"ok": true, "result": {"message_id": %d, "date": %d, '
    b'"chat": {"id": %d, "type": "private", "first_name": "P"}, '
    b'"from": {"id": ' + str(BOT_ID).encode() + b', "is_bot": true, "first_name": "Bench"}, '
    b'"text": "stub"}}'
)


class StubApi:
    """The server: counts requests per method, answers each one from memory."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._message_id = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.connection, host, port, backlog=1024)
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def reply(self, head: bytes, body: bytes) -> bytes:
        """The JSON reply to one request."""
        found = _METHOD.match(head)
        method = found.group(1).decode() if found else "?"
        self.counts[method] += 1
        if method == "_stats":
            return json.dumps(dict(self.counts)).encode()
        if method.lower() == "sendmessage":
            return self._message(body)
        result: object = _ME if method == "getMe" else True
        return json.dumps({"ok": True, "result": result}).encode()

    def _message(self, body: bytes) -> bytes:
        """A sendMessage reply, filled into a ready-made template: the stub's CPU is counted
        against the dispatchers when they share a core with it (bench.sendpath)."""
        self._message_id += 1
        found = _CHAT_ID.search(body)
        chat_id = int((found.group(1) or found.group(2)) if found else 1)
        return _MESSAGE % (self._message_id, int(time.time()), chat_id)

    def connection(self) -> asyncio.Protocol:
        """One keep-alive client connection (the server's protocol factory)."""
        self.counts["_connections"] += 1
        return _Connection(self)


class _Connection(asyncio.Protocol):
    """Requests parsed straight from the received bytes and answered from the callback: no
    stream coroutines per request, so the stub costs its host core as little as it can."""

    def __init__(self, stub: StubApi) -> None:
        self._stub = stub
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end]
            length = _content_length(head)
            if len(self._buffer) < end + 4 + length:
                return
            body = self._buffer[end + 4 : end + 4 + length]
            self._buffer = self._buffer[end + 4 + length :]
            payload = self._stub.reply(head, body)
            assert self._transport is not None
            self._transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


async def fetch_stats(port: int) -> dict[str, int]:
    """The stub's request counts, per method."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /_stats HTTP/1.1\r\nHost: stub\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    body = await reader.readexactly(_content_length(head))
    writer.close()
    stats: dict[str, int] = json.loads(body)
    return stats


async def _main(port: int) -> None:
    stub = StubApi()
    bound = await stub.start(port=port)
    print(f"port {bound}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    pin(args.cpu)
    asyncio.run(_main(args.port))


if __name__ == "__main__":
    main()
