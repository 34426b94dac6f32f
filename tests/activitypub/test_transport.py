"""The guarded transport against real loopback servers: what it refuses and how it connects."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from activitypub.errors import UnsafeURL
from activitypub.transport import (
    GuardedTransport,
    check_header_value,
    check_url,
    resolve_checked,
)
from tests.activitypub.loopback_server import (
    LoopbackServer,
    answer_each,
    black_hole_port,
    make_certificate,
    read_request,
    response,
)


class FakeDNS:
    """A lookup that answers from a table and records every question."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table = table
        self.questions: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.questions.append(host)
        try:
            return self.table[host]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "unknown") from None


async def ok_handler(
    server: LoopbackServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    await answer_each(server, reader, writer, lambda *_: response(200, b"hello"))


async def get(transport: GuardedTransport, url: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport) as client:
        answer = await client.get(url, headers=headers)
        await answer.aread()
        return answer


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:application/json,{}",
        "http://example.com/",  # plain http outside development
        "https://example.com/a\r\nHost: evil",
        "https://example.com/a\nb",
        "https://example.com/\x00",
        "https://example.com/\x7f",
        "https://example.com/\x85",
        "https://example.com/a b",
        "https://exa\tmple.com/",
        "https://user:pass@example.com/",
        "https:///path-only",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/",
        "https://10.0.0.1/",
        "https://[fd00::1]/",
        "https://2130706433/",
        "https://127.1/",
        "https://0x7f.0.0.1/",
        "https://017700000001/",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url)


def test_check_url_accepts_public_https() -> None:
    assert check_url("https://example.com/users/a?x=1#k").host == "example.com"
    assert check_url("https://8.8.8.8/").host == "8.8.8.8"


def test_development_switch_allows_http_and_private_literals() -> None:
    assert check_url("http://127.0.0.1:8000/", allow_private=True).port == 8000
    assert check_url("http://[::1]/", allow_private=True).host == "::1"
    with pytest.raises(UnsafeURL):
        check_url("ftp://127.0.0.1/", allow_private=True)
    with pytest.raises(UnsafeURL):
        check_url("http://224.0.0.1/", allow_private=True)


async def test_resolver_refuses_a_name_with_any_private_address() -> None:
    dns = FakeDNS({"evil.test": ["93.184.216.34", "10.0.0.7"], "good.test": ["93.184.216.34"]})
    with pytest.raises(UnsafeURL, match=r"10\.0\.0\.7"):
        await resolve_checked("evil.test", 443, dns)
    assert await resolve_checked("good.test", 443, dns) == ["93.184.216.34"]
    assert await resolve_checked("evil.test", 443, dns, allow_private=True) == [
        "93.184.216.34",
        "10.0.0.7",
    ]


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::ffff:127.0.0.1", "64:ff9b::a00:1"]
)
async def test_hostname_resolving_to_a_private_address_is_never_connected(address: str) -> None:
    async with LoopbackServer(ok_handler) as server:
        dns = FakeDNS({"fedi.test": [address]})
        transport = GuardedTransport(lookup=dns)
        with pytest.raises(UnsafeURL):
            await get(transport, f"https://fedi.test:{server.port}/actor")
        assert dns.questions == ["fedi.test"]
        assert server.connections == 0


async def test_numeric_hostnames_are_refused_before_any_lookup() -> None:
    dns = FakeDNS({})
    transport = GuardedTransport(lookup=dns)
    for url in ("https://2130706433/", "https://127.1/", "https://[::1]/"):
        with pytest.raises(UnsafeURL):
            await get(transport, url)
    assert dns.questions == []


async def test_plain_http_refused_outside_development() -> None:
    async with LoopbackServer(ok_handler) as server:
        transport = GuardedTransport(lookup=FakeDNS({"pub.test": ["93.184.216.34"]}))
        with pytest.raises(UnsafeURL, match="scheme"):
            await get(transport, f"http://pub.test:{server.port}/")
        assert server.connections == 0


async def test_header_values_with_line_breaks_are_refused() -> None:
    dns = FakeDNS({"fedi.test": ["127.0.0.1"]})
    async with LoopbackServer(ok_handler) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns)
        with pytest.raises(UnsafeURL, match="header"):
            await get(transport, f"http://fedi.test:{server.port}/", x_remote="a\r\nInjected: 1")
        assert server.connections == 0


async def test_development_switch_connects_to_the_checked_address_and_keeps_alive() -> None:
    dns = FakeDNS({"fedi.test": ["127.0.0.1"]})
    async with LoopbackServer(ok_handler) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns)
        async with httpx.AsyncClient(transport=transport) as client:
            first = await client.get(f"http://fedi.test:{server.port}/a")
            second = await client.post(f"http://fedi.test:{server.port}/b", content=b"{}")
        assert (first.status_code, first.content, second.content) == (200, b"hello", b"hello")
        # fedi.test exists only in the fake table: the connection went to its checked address
        assert dns.questions == ["fedi.test"]
        assert server.connections == 1  # kept alive and reused
        [(line_a, headers_a, _), (line_b, headers_b, body_b)] = server.requests
        assert line_a == "GET /a HTTP/1.1"
        assert headers_a["host"] == f"fedi.test:{server.port}"
        assert (line_b, body_b, headers_b["content-length"]) == ("POST /b HTTP/1.1", b"{}", "2")


async def test_request_target_is_sent_byte_for_byte() -> None:
    # A signature covers (request-target): re-quoting the path would break it.
    dns = FakeDNS({"fedi.test": ["127.0.0.1"]})
    async with LoopbackServer(ok_handler) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns)
        await get(transport, f"http://fedi.test:{server.port}/users/%7Ea%2Fb?q=a%20b&x=%3D")
        assert server.requests[0][0] == "GET /users/%7Ea%2Fb?q=a%20b&x=%3D HTTP/1.1"


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext, list[str | None]]:
    """(server context recording SNI, client context trusting the test certificate, SNIs)."""
    cert, key = make_certificate(tmp_path, "fedi.test")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    seen: list[str | None] = []

    def record(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        seen.append(name)

    server_context.sni_callback = record
    client_context = ssl.create_default_context(cafile=str(cert))
    return server_context, client_context, seen


async def test_tls_keeps_the_hostname_for_sni_certificate_and_host(
    tls: tuple[ssl.SSLContext, ssl.SSLContext, list[str | None]],
) -> None:
    server_context, client_context, seen = tls
    dns = FakeDNS({"fedi.test": ["127.0.0.1"]})
    async with LoopbackServer(ok_handler, ssl_context=server_context) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns, ssl_context=client_context)
        answer = await get(transport, f"https://fedi.test:{server.port}/actor")
        assert answer.content == b"hello"
        assert seen == ["fedi.test"]
        assert server.requests[0][1]["host"] == f"fedi.test:{server.port}"


async def test_tls_certificate_is_checked_against_the_hostname_not_the_address(
    tls: tuple[ssl.SSLContext, ssl.SSLContext, list[str | None]],
) -> None:
    server_context, client_context, _seen = tls
    dns = FakeDNS({"other.test": ["127.0.0.1"]})  # the certificate also names 127.0.0.1
    async with LoopbackServer(ok_handler, ssl_context=server_context) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns, ssl_context=client_context)
        with pytest.raises(httpx.ConnectError):
            await get(transport, f"https://other.test:{server.port}/")
        assert server.requests == []


async def test_connection_refused_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = GuardedTransport(allow_private=True)
    with pytest.raises(httpx.ConnectError):
        await get(transport, f"http://127.0.0.1:{port}/")


async def test_unknown_name_is_a_connect_error() -> None:
    transport = GuardedTransport(lookup=FakeDNS({}))
    with pytest.raises(httpx.ConnectError):
        await get(transport, "https://nowhere.test/")


async def test_response_body_is_streamed() -> None:
    chunks = [b"a" * 1000, b"b" * 1000, b"c"]

    async def chunked(
        server: LoopbackServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        server.requests.append(await read_head_only(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        writer.write(b"0\r\n\r\n")

    async with LoopbackServer(chunked) as server:
        transport = GuardedTransport(allow_private=True)
        url = f"http://127.0.0.1:{server.port}/"
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", url) as answer,
        ):
            received = b"".join([part async for part in answer.aiter_raw()])
        assert received == b"".join(chunks)


async def read_head_only(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n", 1)[0], {}, b""


async def test_international_names_are_resolved_in_their_ascii_form() -> None:
    dns = FakeDNS({"xn--bcher-kva.test": ["127.0.0.1"]})
    async with LoopbackServer(ok_handler) as server:
        transport = GuardedTransport(allow_private=True, lookup=dns)
        answer = await get(transport, f"http://bücher.test:{server.port}/")
        assert answer.content == b"hello"
        assert dns.questions == ["xn--bcher-kva.test"]
        assert server.requests[0][1]["host"] == f"xn--bcher-kva.test:{server.port}"


@pytest.fixture
def black_hole() -> Iterator[int]:
    with black_hole_port() as port:
        yield port


async def test_connect_timeout(black_hole: int) -> None:
    transport = GuardedTransport(allow_private=True)
    with pytest.raises(httpx.ConnectTimeout):
        await get_with_timeout(transport, f"http://127.0.0.1:{black_hole}/", connect=0.2)


async def test_a_dead_address_does_not_use_up_the_connect_time(black_hole: int) -> None:
    # fedi.test has two addresses: the first hangs, the second answers on the same port.
    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response(200, b"hello", {"Connection": "close"}))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer_once, "127.0.0.2", black_hole)
    try:
        dns = FakeDNS({"fedi.test": ["127.0.0.1", "127.0.0.2"]})
        transport = GuardedTransport(allow_private=True, lookup=dns)
        answer = await get_with_timeout(transport, f"http://fedi.test:{black_hole}/", connect=2.0)
        assert answer.content == b"hello"
    finally:
        server.close()
        await server.wait_closed()


async def get_with_timeout(transport: GuardedTransport, url: str, connect: float) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport) as client:
        answer = await client.get(url, timeout=httpx.Timeout(5.0, connect=connect))
        await answer.aread()
        return answer


@pytest.mark.parametrize("value", ["a\r\nb", "a\nb", "a\rb", "a\x00b", "a\x7fb", b"a\r\nb"])
def test_check_header_value_refuses_controls(value: str | bytes) -> None:
    with pytest.raises(UnsafeURL):
        check_header_value(value)


def test_check_header_value_accepts_ordinary_values() -> None:
    check_header_value('keyId="https://a.example/actor#main-key",headers="(request-target) host"')
    check_header_value("tab\tis fine")
