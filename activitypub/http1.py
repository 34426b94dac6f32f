"""One HTTP/1.1 client connection: an asyncio protocol parsed by httptools (llhttp).

The connection does no name resolution and no policy: :mod:`activitypub.transport` opens
it to an address it has checked, sends one request at a time, and puts it back in its pool
when the response was read to the end and the peer keeps the connection alive.

Limits that protect us from the peer: the status line and headers together may not exceed
``MAX_HEAD`` bytes; the body is buffered at most ``HIGH_WATER`` bytes ahead of the reader
(reading from the socket pauses above that). Framing is llhttp's: Content-Length, chunked,
or until close; 1xx interim responses are skipped; an upgrade is refused.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import cast

import httptools
import httpx

__all__ = ["MAX_HEAD", "Http1Connection", "ResponseHead"]

MAX_HEAD = 64 * 1024
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024

ResponseHead = tuple[int, bytes, list[tuple[bytes, bytes]]]
"""Status code, reason phrase, raw headers."""


class Http1Connection(asyncio.Protocol):
    """A client connection carrying one exchange at a time."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._active = False
        self._paused = False
        self._start_exchange()

    def _start_exchange(self) -> None:
        self._head_size = 0
        self._status = 0
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._interim = False
        self._head_done: asyncio.Future[None] = self._loop.create_future()
        self._body: deque[bytes] = deque()
        self._buffered = 0
        self._until_close = False
        self._waiter: asyncio.Future[None] | None = None
        self.received_any = False
        self.complete = False
        self.keep_alive = False
        self.error: httpx.TransportError | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports quack like asyncio.Transport without inheriting from it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.error is not None:
            return
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx.RemoteProtocolError("the peer switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed response: {str(exc)[:100]}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.complete or not self._active:
            return
        if self._head_done.done() and self._until_close and self.error is None:
            self.complete = True  # the body of a response without length ends at close
            self._wake()
            return
        self._fail(httpx.RemoteProtocolError("the peer closed the connection mid-response"))

    # --- httptools callbacks --------------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self._reason += status
        self._count(len(status))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        self._count(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            self._interim = True  # 100 Continue, 103 Early Hints: the real answer follows
            self._headers, self._reason = [], b""
            return
        self._interim = False
        self._status = status
        framing = (b"content-length", b"transfer-encoding")
        framed = any(name.lower() in framing for name, _ in self._headers)
        self._until_close = not framed and status not in (204, 304)
        if not self._head_done.done():
            self._head_done.set_result(None)

    def on_body(self, body: bytes) -> None:
        if self._interim or self.error is not None:
            return
        self._body.append(body)
        self._buffered += len(body)
        if self._buffered > HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._interim:
            self._interim = False
            return
        self.complete = True
        self.keep_alive = self._parser.should_keep_alive() and not self._until_close
        self._wake()

    # --- used by the transport ------------------------------------------------------------------

    async def exchange(self, head: bytes, body: bytes, patience: float | None) -> ResponseHead:
        """Send a request and wait for the response head, at most ``patience`` seconds."""
        self._start_exchange()
        if self._transport is None or self.closed:
            raise httpx.RemoteProtocolError("connection already closed")
        self._active = True
        self._transport.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self._transport.write(body)
        try:
            async with asyncio.timeout(patience):
                await self._head_done
        except TimeoutError:
            self.close()
            raise httpx.ReadTimeout("no response head in time") from None
        return self._status, self._reason, self._headers

    async def read(self, patience: float | None) -> bytes:
        """The next piece of the body, or ``b""`` at its end; ``patience`` bounds each wait."""
        while True:
            if self._body:
                chunk = self._body.popleft()
                self._buffered -= len(chunk)
                if self._paused and self._buffered < LOW_WATER and self._transport is not None:
                    self._paused = False
                    self._transport.resume_reading()
                return chunk
            if self.error is not None:
                raise self.error
            if self.complete:
                self._active = False
                return b""
            self._waiter = self._loop.create_future()
            try:
                async with asyncio.timeout(patience):
                    await self._waiter
            except TimeoutError:
                self.close()
                raise httpx.ReadTimeout("the body stopped arriving") from None
            finally:
                self._waiter = None

    def close(self) -> None:
        """Close the socket (idempotent)."""
        self.closed = True
        self._active = False
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    # --- internals ------------------------------------------------------------------------------

    def _count(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEAD:
            self._fail(httpx.RemoteProtocolError("response head too large"))

    def _fail(self, error: httpx.TransportError) -> None:
        if self.error is None:
            self.error = error
        if self._active and not self._head_done.done():
            self._head_done.set_exception(error)
        self._wake()
        self.close()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
