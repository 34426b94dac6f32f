"""HTTP/1.1 framing and pooling of the guarded transport, against loopback servers that
answer in every shape a peer may choose (or get wrong)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from activitypub.http1 import MAX_HEAD
from activitypub.transport import GuardedTransport
from tests.activitypub.loopback_server import LoopbackServer, answer_each, read_request, response


async def fetch(transport: GuardedTransport, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport) as client:
        answer = await client.get(url, **kwargs)
        await answer.aread()
        return answer


def serve_once(raw: bytes, *, close: bool = False) -> Any:
    async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
        server.requests.append(await read_request(reader))
        writer.write(raw)
        await writer.drain()
        if close:
            writer.close()
        else:
            await server.release.wait()

    return handler


async def test_body_until_close() -> None:
    raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"
    async with LoopbackServer(serve_once(raw, close=True)) as server:
        answer = await fetch(
            GuardedTransport(allow_private=True), f"http://127.0.0.1:{server.port}/"
        )
    assert answer.content == b"all of it"


async def test_interim_responses_are_skipped() -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    async with LoopbackServer(serve_once(raw)) as server:
        answer = await fetch(
            GuardedTransport(allow_private=True), f"http://127.0.0.1:{server.port}/"
        )
    assert (answer.status_code, answer.content) == (200, b"ok")


async def test_no_content_has_no_body() -> None:
    async with LoopbackServer(serve_once(b"HTTP/1.1 204 No Content\r\n\r\n")) as server:
        answer = await fetch(
            GuardedTransport(allow_private=True), f"http://127.0.0.1:{server.port}/"
        )
    assert (answer.status_code, answer.content) == (204, b"")


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEAD + 10) + b"\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
async def test_malformed_answers_are_protocol_errors(raw: bytes) -> None:
    async with LoopbackServer(serve_once(raw)) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await fetch(GuardedTransport(allow_private=True), f"http://127.0.0.1:{server.port}/")


async def test_truncated_body_is_an_error() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
    async with LoopbackServer(serve_once(raw, close=True)) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await fetch(GuardedTransport(allow_private=True), f"http://127.0.0.1:{server.port}/")


async def test_connection_close_is_honoured() -> None:
    async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await answer_each(
            server, reader, writer, lambda *_: response(200, b"x", {"Connection": "close"})
        )

    async with LoopbackServer(handler) as server:
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                assert (await client.get(f"http://127.0.0.1:{server.port}/")).content == b"x"
    assert server.connections == 3


async def test_idle_connection_closed_by_the_peer_is_replaced() -> None:
    async def one_per_connection(server: LoopbackServer, reader: Any, writer: Any) -> None:
        # Answers as if keeping alive, then closes: the classic keep-alive race.
        server.requests.append(await read_request(reader))
        writer.write(response(202))
        await writer.drain()
        writer.close()

    async with LoopbackServer(one_per_connection) as server:
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                answer = await client.post(f"http://127.0.0.1:{server.port}/inbox", content=b"{}")
                assert answer.status_code == 202
    assert len(server.requests) == 3


async def test_request_dropped_on_a_reused_connection_is_sent_again() -> None:
    async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
        first_connection = server.connections == 1
        server.requests.append(await read_request(reader))
        writer.write(response(202))
        await writer.drain()
        server.requests.append(await read_request(reader))
        if first_connection:
            writer.close()  # read the second request, closed without a byte of answer
            return
        writer.write(response(202))
        await writer.drain()
        await server.release.wait()

    async with LoopbackServer(handler) as server:
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/inbox"
            assert (await client.post(url, content=b"1")).status_code == 202
            assert (await client.post(url, content=b"2")).status_code == 202
    assert [body for _line, _headers, body in server.requests] == [b"1", b"2", b"2"]
    assert server.connections == 2


async def test_unread_body_closes_the_connection_instead_of_reusing_it() -> None:
    async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await answer_each(server, reader, writer, lambda *_: response(200, b"y" * 500_000))

    async with LoopbackServer(handler) as server:
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/"
            async with client.stream("GET", url) as answer:
                await anext(answer.aiter_raw())
            assert (await client.get(url)).content == b"y" * 500_000
    assert server.connections == 2


async def test_per_host_limit_queues_and_pool_timeout() -> None:
    arrived = asyncio.Event()

    async def stall(server: LoopbackServer, reader: Any, writer: Any) -> None:
        server.requests.append(await read_request(reader))
        arrived.set()
        await server.release.wait()

    async with LoopbackServer(stall) as server:
        transport = GuardedTransport(allow_private=True, max_connections_per_host=1)
        url = f"http://127.0.0.1:{server.port}/"
        async with httpx.AsyncClient(transport=transport) as client:
            first = asyncio.create_task(client.get(url))
            await arrived.wait()  # the first request holds the only connection
            with pytest.raises(httpx.PoolTimeout):
                await client.get(url, timeout=httpx.Timeout(5.0, pool=0.05))
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
        assert server.connections == 1


async def test_read_timeout_from_the_request_extension() -> None:
    async def stall(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        await server.release.wait()

    async with LoopbackServer(stall) as server:
        with pytest.raises(httpx.ReadTimeout):
            await fetch(
                GuardedTransport(allow_private=True),
                f"http://127.0.0.1:{server.port}/",
                timeout=httpx.Timeout(5.0, read=0.05),
            )


async def test_request_framing_uses_the_real_body_length() -> None:
    async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await answer_each(server, reader, writer, lambda *_: response(202))

    async def chunks() -> Any:
        yield b'{"a":'
        yield b"1}"

    async with LoopbackServer(handler) as server:
        transport = GuardedTransport(allow_private=True)
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/inbox"
            await client.post(url, content=chunks())  # httpx would send it chunked
            await client.post(url, content=b"")
    [(_, first, body), (_, second, empty)] = server.requests
    assert (body, first["content-length"], "transfer-encoding" in first) == (b'{"a":1}', "7", False)
    assert (empty, second["content-length"]) == (b"", "0")


async def test_head_is_not_supported() -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        async with httpx.AsyncClient(transport=GuardedTransport(allow_private=True)) as client:
            await client.head("http://127.0.0.1:9/")


def test_works_on_uvloop() -> None:
    # uvicorn runs the app on uvloop when it is installed; its transports are not
    # asyncio.Transport subclasses.
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> list[tuple[str, dict[str, str], bytes]]:
        async def handler(server: LoopbackServer, reader: Any, writer: Any) -> None:
            await answer_each(server, reader, writer, lambda *_: response(202, b"ok"))

        async with LoopbackServer(handler) as server:
            async with httpx.AsyncClient(transport=GuardedTransport(allow_private=True)) as client:
                for body in (b"1", b"2"):
                    answer = await client.post(f"http://127.0.0.1:{server.port}/", content=body)
                    assert (answer.status_code, answer.content) == (202, b"ok")
            assert server.connections == 1
            return server.requests

    requests = uvloop.run(scenario())
    assert [body for _line, _headers, body in requests] == [b"1", b"2"]
