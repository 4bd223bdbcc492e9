"""A lean HTTP/1.1 transport for scheduled sends: python-telegram-bot's ``BaseRequest`` on h11.

PTB's default ``HTTPXRequest`` spends most of a scheduled send's CPU in httpx, httpcore and anyio
(its connection pool scans every connection on each request). A scheduled send needs none of
that machinery: one host, small form-encoded POSTs, keep-alive. ``H11Request`` is PTB's
documented extension point for exactly this: ``do_request`` returns (status, body) and
``BaseRequest.post`` keeps PTB's own error mapping (``Forbidden``, ``RetryAfter``,
``BadRequest``, ``ChatMigrated``, ``NetworkError``). The HTTP framing is h11's (the python-hyper
state machine httpx itself uses); the sockets are asyncio streams.

* A small keep-alive pool per origin: at most ``pool_size`` requests in flight; waiting longer
  than the pool timeout for a free place raises ``TimedOut``, as httpx's pool timeout does.
* A connection is reused only if h11 says both sides finished cleanly, the server has not
  closed it, and it has been idle less than ``KEEPALIVE_SECONDS``; any error drops it.
* Timeouts as httpx applies them: connect once, write per write, read per read. Any timeout
  raises ``TimedOut`` (a scheduled send treats that as "may have arrived"); any other
  connection or protocol failure raises ``NetworkError``.
* https uses ``ssl.create_default_context()`` (certificate and host name checked).

File uploads are not supported: scheduled sends never carry files.
"""

from __future__ import annotations

import asyncio
import select
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import h11
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# An idle connection older than this is closed rather than reused (httpx's keep-alive expiry):
# servers close idle connections, and a request written into one just being closed is lost.
KEEPALIVE_SECONDS: Final = 5.0
_READ_CHUNK: Final = 65_536
_KNOWN_URLS: Final = 64  # URLs whose parts are kept (a bot posts to one per API method)
_FORM: Final = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Timeouts:
    """Seconds, or None for no limit, as PTB's request parameters take them."""

    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 1.0


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass
class _Connection:
    """One keep-alive connection: its streams, its h11 state and when it last went idle."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    http: h11.Connection = field(default_factory=lambda: h11.Connection(our_role=h11.CLIENT))
    idle_since: float = 0.0

    def reusable(self, now: float) -> bool:
        """Idle briefly enough, and nothing arrived while idle: on an idle HTTP/1.1 connection
        anything readable is the server closing it (or garbage). The socket is asked directly
        (the event loop may not have read the close yet), as httpcore does."""
        if self.reader.at_eof() or now - self.idle_since >= KEEPALIVE_SECONDS:
            return False
        sock = self.writer.get_extra_info("socket")
        if sock is None:
            return False
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        return not poller.poll(0)

    def close(self) -> None:
        self.writer.close()


class H11Request(BaseRequest):
    """PTB's request interface over h11 and asyncio streams, with a keep-alive pool."""

    def __init__(self, *, pool_size: int = 64, timeouts: Timeouts | None = None) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.timeouts = timeouts or Timeouts()
        self._places = asyncio.Semaphore(pool_size)
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._origins: dict[str, tuple[_Origin, str]] = {}
        self._tls: ssl.SSLContext | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeouts.read

    async def initialize(self) -> None:
        """Nothing to do: connections are opened on first use."""

    async def shutdown(self) -> None:
        """Close every idle connection (those in use close when their request ends)."""
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = Timeouts(
            connect=_chosen(connect_timeout, self.timeouts.connect),
            read=_chosen(read_timeout, self.timeouts.read),
            write=_chosen(write_timeout, self.timeouts.write),
            pool=_chosen(pool_timeout, self.timeouts.pool),
        )
        origin, target = self._split(url)
        body = _body(request_data)
        with _timed_out("Pool timeout: all connections are in use"):
            async with asyncio.timeout(timeouts.pool):
                await self._places.acquire()
        try:
            connection = await self._connection(origin, timeouts.connect)
            try:
                result = await _exchange(connection, origin, method, target, body, timeouts)
            except BaseException:
                connection.close()
                raise
            self._give_back(origin, connection)
            return result
        finally:
            self._places.release()

    def _split(self, url: str) -> tuple[_Origin, str]:
        """The origin and request target of a URL (cached: a bot posts to a few URLs)."""
        known = self._origins.get(url)
        if known is None:
            parts = urlsplit(url)
            secure = parts.scheme == "https"
            port = parts.port or (443 if secure else 80)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            known = (_Origin(parts.scheme, parts.hostname or "", port), target or "/")
            if len(self._origins) >= _KNOWN_URLS:
                self._origins.clear()
            self._origins[url] = known
        return known

    async def _connection(self, origin: _Origin, connect_s: float | None) -> _Connection:
        """An idle connection that is still good, or a new one."""
        idle, now = self._idle.get(origin), time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now):
                return connection
            connection.close()
        tls = self._tls_context() if origin.scheme == "https" else None
        with _timed_out("Connect timeout"), _network_error():
            async with asyncio.timeout(connect_s):
                reader, writer = await asyncio.open_connection(
                    origin.host, origin.port, ssl=tls, server_hostname=origin.host if tls else None
                )
        return _Connection(reader, writer)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _give_back(self, origin: _Origin, connection: _Connection) -> None:
        http = connection.http
        if http.our_state is h11.DONE and http.their_state is h11.DONE:
            http.start_next_cycle()
            connection.idle_since = time.monotonic()
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()  # "Connection: close", or the exchange did not finish


async def _exchange(
    connection: _Connection,
    origin: _Origin,
    method: str,
    target: str,
    body: bytes,
    timeouts: Timeouts,
) -> tuple[int, bytes]:
    """Write one request and read its whole response on `connection`."""
    http = connection.http
    headers = [
        ("Host", origin.host_header),
        ("User-Agent", BaseRequest.USER_AGENT),
        ("Content-Type", _FORM),
        ("Content-Length", str(len(body))),
    ]
    with _protocol_errors():
        request = http.send(h11.Request(method=method, target=target, headers=headers))
        connection.writer.write(
            request + http.send(h11.Data(data=body)) + http.send(h11.EndOfMessage())
        )
        with _timed_out("Write timeout"):
            async with asyncio.timeout(timeouts.write):
                await connection.writer.drain()
        return await _response(connection, timeouts.read)


async def _response(connection: _Connection, read_s: float | None) -> tuple[int, bytes]:
    http, status, chunks = connection.http, 0, []
    while True:
        event = http.next_event()
        if event is h11.NEED_DATA:
            with _timed_out("Read timeout"):
                async with asyncio.timeout(read_s):
                    http.receive_data(await connection.reader.read(_READ_CHUNK))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return status, b"".join(chunks)
        elif isinstance(event, h11.ConnectionClosed):
            raise NetworkError("Server disconnected without sending a response")
        # h11.InformationalResponse (1xx): the final response follows.


def _body(request_data: RequestData | None) -> bytes:
    if request_data is None:
        return b""
    if request_data.contains_files:
        raise NotImplementedError("H11Request sends no files; use PTB's HTTPXRequest")
    return request_data.url_encoded_parameters().encode()


def _chosen(value: object, default: float | None) -> float | None:
    """A timeout PTB passed (its DEFAULT_NONE: ours), in seconds or None for no limit."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout is a number of seconds or None, not {type(value).__name__}")


@contextmanager
def _timed_out(what: str) -> Iterator[None]:
    try:
        yield
    except TimeoutError as exc:
        raise TimedOut(what) from exc


@contextmanager
def _network_error() -> Iterator[None]:
    try:
        yield
    except TimeoutError:
        raise  # an OSError too, but _timed_out's to map
    except (OSError, EOFError) as exc:
        raise NetworkError(f"{type(exc).__name__}: {exc}") from exc


@contextmanager
def _protocol_errors() -> Iterator[None]:
    """h11's protocol errors and failed socket operations, as PTB's NetworkError."""
    with _network_error():
        try:
            yield
        except h11.ProtocolError as exc:
            raise NetworkError(f"h11.{type(exc).__name__}: {exc}") from exc
