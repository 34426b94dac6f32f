"""The outbound client: every SECURITY.md outbound rule, through mocks and loopback servers."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx
import pytest

from activitypub.bodies import is_activity_content_type, parse_json
from activitypub.errors import (
    BadContentType,
    FetchTimeout,
    HTTPStatusError,
    InvalidDocument,
    NetworkError,
    OriginMismatch,
    ResponseTooLarge,
    TooManyRedirects,
    UnsafeURL,
)
from activitypub.fetcher import ACTIVITY_ACCEPT, FetchLimits, SafeClient
from activitypub.retry import Outcome
from activitypub.transport import GuardedTransport
from tests.activitypub.loopback_server import (
    LoopbackServer,
    black_hole_port,
    read_request,
    response,
)

AP = "application/activity+json"
ACTOR = "https://remote.example/users/alice"


def actor(url: str = ACTOR) -> dict[str, Any]:
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": url, "type": "Person"}


def ap_response(document: Any, content_type: str = AP) -> httpx.Response:
    return httpx.Response(200, json=document, headers={"Content-Type": content_type})


class Recorder:
    """An httpx.MockTransport whose handler is a table of URL -> response factory."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []
        self.signatures: list[str | None] = []  # as sent: auth flows re-sign in place
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.signatures.append(request.headers.get("signature"))
        route = self.routes.get(str(request.url))
        if route is None:
            return httpx.Response(404)
        return route(request)


def client_for(recorder: Recorder, **limits: Any) -> SafeClient:
    return SafeClient(transport=recorder.transport, limits=FetchLimits(**limits))


def redirect(location: str, status: int = 302) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(status, headers={"Location": location})


# --- content negotiation and identity -----------------------------------------------------


async def test_fetch_object_sends_the_activitypub_accept_and_checks_id() -> None:
    recorder = Recorder({ACTOR: lambda _r: ap_response(actor())})
    async with client_for(recorder) as client:
        assert await client.fetch_object(ACTOR) == actor()
    [request] = recorder.requests
    assert request.headers["accept"] == ACTIVITY_ACCEPT
    assert request.method == "GET"


@pytest.mark.parametrize(
    "content_type",
    [
        "",
        "text/html",
        "application/json",
        "application/ld+json",
        'application/ld+json; profile="https://evil.example/ns"',
        "application/activity+jsonx",
        'text/html; profile="https://www.w3.org/ns/activitystreams"',
    ],
)
async def test_wrong_content_type_refused(content_type: str) -> None:
    assert not is_activity_content_type(content_type)
    recorder = Recorder({ACTOR: lambda _r: ap_response(actor(), content_type)})
    async with client_for(recorder) as client:
        with pytest.raises(BadContentType):
            await client.fetch_object(ACTOR)


@pytest.mark.parametrize(
    "document",
    [
        actor("https://remote.example/users/mallory"),
        actor("https://evil.example/users/alice"),
        {"type": "Person"},
        {"id": ["https://remote.example/users/alice"]},
    ],
)
async def test_id_must_equal_the_url_fetched(document: dict[str, Any]) -> None:
    recorder = Recorder({ACTOR: lambda _r: ap_response(document)})
    async with client_for(recorder) as client:
        with pytest.raises(OriginMismatch):
            await client.fetch_object(ACTOR)


async def test_fragment_of_the_requested_url_is_ignored_for_the_id_check() -> None:
    recorder = Recorder({ACTOR: lambda _r: ap_response(actor())})
    async with client_for(recorder) as client:
        assert (await client.fetch_object(ACTOR + "#main-key"))["id"] == ACTOR


async def test_non_object_document_is_invalid() -> None:
    recorder = Recorder({ACTOR: lambda _r: ap_response([actor()])})
    async with client_for(recorder) as client:
        with pytest.raises(InvalidDocument):
            await client.fetch_object(ACTOR)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError inside json
        b'{"n": ' + b"9" * 5000 + b"}",  # int digits limit, ValueError
        b"\xff\xfe{not json",
        b"",
        b'{"a": NaN',
    ],
)
async def test_hostile_json_is_an_invalid_document(body: bytes) -> None:
    recorder = Recorder(
        {ACTOR: lambda _r: httpx.Response(200, content=body, headers={"Content-Type": AP})}
    )
    async with client_for(recorder) as client:
        with pytest.raises(InvalidDocument):
            await client.fetch_object(ACTOR)
    with pytest.raises(InvalidDocument):
        parse_json(body)


async def test_get_json_accepts_jrd_and_json_only() -> None:
    url = "https://remote.example/.well-known/webfinger?resource=acct:alice@remote.example"
    jrd = {"subject": "acct:alice@remote.example"}
    for content_type, ok in [
        ("application/jrd+json", True),
        ("application/json; charset=utf-8", True),
        ("text/html", False),
    ]:
        recorder = Recorder({url: lambda _r, ct=content_type: ap_response(jrd, ct)})  # type: ignore[misc]
        async with client_for(recorder) as client:
            if ok:
                assert await client.get_json(url) == jrd
            else:
                with pytest.raises(BadContentType):
                    await client.get_json(url)


async def test_error_status_raises_with_retry_after() -> None:
    recorder = Recorder({ACTOR: lambda _r: httpx.Response(503, headers={"Retry-After": "120"})})
    async with client_for(recorder) as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.fetch_object(ACTOR)
    assert (caught.value.status_code, caught.value.retry_after) == (503, 120.0)


# --- URLs and redirects -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://remote.example/users/alice\r\nX-Injected: 1",
        "https://remote.example/users/\nalice",
        "https://remote.example/\x00",
        "http://remote.example/users/alice",
        "ftp://remote.example/users/alice",
        "file:///etc/passwd",
        "https://127.0.0.1/users/alice",
        "https://[::1]/users/alice",
    ],
)
async def test_unsafe_urls_are_never_requested(url: str) -> None:
    recorder = Recorder({})
    async with client_for(recorder) as client:
        with pytest.raises(UnsafeURL):
            await client.fetch_object(url)
        with pytest.raises(UnsafeURL):
            await client.get_json(url)
        assert (await client.post(url, b"{}")).outcome is Outcome.FINAL
    assert recorder.requests == []


async def test_redirects_followed_and_id_checked_against_the_final_url() -> None:
    final = "https://other.example/u/alice"
    recorder = Recorder(
        {
            ACTOR: redirect("/users/alice-moved", 301),
            "https://remote.example/users/alice-moved": redirect(final, 308),
            final: lambda _r: ap_response(actor(final)),
        }
    )
    async with client_for(recorder) as client:
        assert (await client.fetch_object(ACTOR))["id"] == final
    assert [str(r.url) for r in recorder.requests][-1] == final


async def test_id_of_the_first_url_is_refused_after_a_redirect() -> None:
    # The document claims the id we asked for, but was served from elsewhere.
    recorder = Recorder(
        {
            ACTOR: redirect("https://evil.example/fake"),
            "https://evil.example/fake": lambda _r: ap_response(actor(ACTOR)),
        }
    )
    async with client_for(recorder) as client:
        with pytest.raises(OriginMismatch):
            await client.fetch_object(ACTOR)


@pytest.mark.parametrize(
    "location",
    [
        "https://127.0.0.1/admin",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/",
        "https://10.0.0.1/",
        "http://remote.example/users/alice",
        "file:///etc/passwd",
        "gopher://remote.example/",
        "https://remote.example/\x01",
    ],
)
async def test_redirect_to_a_refused_target_is_not_followed(location: str) -> None:
    recorder = Recorder({ACTOR: redirect(location)})
    async with client_for(recorder) as client:
        with pytest.raises(UnsafeURL):
            await client.fetch_object(ACTOR)
    assert len(recorder.requests) == 1


async def test_redirect_to_a_name_resolving_privately_is_refused_by_the_transport() -> None:
    # Each hop goes through the guard: the first hop is a public mock, the second the real
    # guarded transport whose DNS answers a private address.
    async def lookup(host: str, port: int) -> list[str]:
        return {"internal.example": ["10.1.2.3"]}[host]

    guarded = GuardedTransport(lookup=lookup)
    first_hop = httpx.MockTransport(redirect("https://internal.example/secret"))

    class Routed(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.host == "remote.example":
                return await first_hop.handle_async_request(request)
            return await guarded.handle_async_request(request)

        async def aclose(self) -> None:
            await guarded.aclose()

    async with SafeClient(transport=Routed()) as client:
        with pytest.raises(UnsafeURL, match=r"10\.1\.2\.3"):
            await client.fetch_object(ACTOR)


async def test_redirect_loop_refused() -> None:
    b = "https://remote.example/b"
    recorder = Recorder({ACTOR: redirect(b), b: redirect(ACTOR)})
    async with client_for(recorder) as client:
        with pytest.raises(TooManyRedirects, match="loop"):
            await client.fetch_object(ACTOR)
    assert len(recorder.requests) == 2


async def test_at_most_three_redirects() -> None:
    hops = [f"https://remote.example/{n}" for n in range(5)]

    def chain(count: int) -> Recorder:
        routes = {hops[i]: redirect(hops[i + 1]) for i in range(count)}
        routes[hops[count]] = lambda _r: ap_response(actor(hops[count]))
        return Recorder(routes)

    async with client_for(chain(3)) as client:
        assert (await client.fetch_object(hops[0]))["id"] == hops[3]
    recorder = chain(4)
    async with client_for(recorder) as client:
        with pytest.raises(TooManyRedirects):
            await client.fetch_object(hops[0])
    assert len(recorder.requests) == 4


async def test_key_fetch_refuses_any_redirect() -> None:
    recorder = Recorder({ACTOR: redirect("https://remote.example/users/alice2")})
    async with client_for(recorder) as client:
        with pytest.raises(TooManyRedirects):
            await client.fetch_object(ACTOR, follow_redirects=False)


# --- size -------------------------------------------------------------------------------------


async def test_declared_oversized_body_refused_before_reading() -> None:
    read = []

    async def body() -> Any:
        read.append(1)
        yield b"{}"

    recorder = Recorder(
        {
            ACTOR: lambda _r: httpx.Response(
                200, headers={"Content-Type": AP, "Content-Length": "2000000"}, content=body()
            )
        }
    )
    async with client_for(recorder) as client:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_object(ACTOR)
    assert read == []


async def test_streamed_body_cut_at_the_cap_without_reading_the_rest() -> None:
    produced = []

    async def endless() -> Any:
        while True:
            produced.append(1)
            yield b" " * 4096

    recorder = Recorder(
        {ACTOR: lambda _r: httpx.Response(200, headers={"Content-Type": AP}, content=endless())}
    )
    async with client_for(recorder, max_body=64 * 1024) as client:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_object(ACTOR)
    assert len(produced) == 17  # 16 chunks fill 64 KiB exactly, the 17th is one too many


def streamed(*chunks: bytes) -> Any:
    async def stream() -> Any:
        for chunk in chunks:
            yield chunk

    return stream()


async def test_gzip_bomb_is_cut_at_the_cap() -> None:
    bomb = gzip.compress(b" " * (50 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    recorder = Recorder(
        {
            ACTOR: lambda _r: httpx.Response(
                200,
                headers={"Content-Type": AP, "Content-Encoding": "gzip"},
                content=streamed(bomb),
            )
        }
    )
    async with client_for(recorder) as client:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_object(ACTOR)


async def test_gzip_document_is_decoded() -> None:
    body = gzip.compress(json.dumps(actor()).encode())
    recorder = Recorder(
        {
            ACTOR: lambda _r: httpx.Response(
                200,
                headers={"Content-Type": AP, "Content-Encoding": "gzip"},
                content=streamed(body[:10], body[10:]),
            )
        }
    )
    async with client_for(recorder) as client:
        assert await client.fetch_object(ACTOR) == actor()
    assert recorder.requests[0].headers["accept-encoding"] == "gzip"


async def test_unknown_content_encoding_refused() -> None:
    recorder = Recorder(
        {
            ACTOR: lambda _r: httpx.Response(
                200, headers={"Content-Type": AP, "Content-Encoding": "br"}, content=streamed(b"x")
            )
        }
    )
    async with client_for(recorder) as client:
        with pytest.raises(BadContentType):
            await client.fetch_object(ACTOR)


# --- signing ------------------------------------------------------------------------------------


class MarkAuth(httpx.Auth):
    """Stands in for the HTTP-signature auth: marks each request; re-sends once on 401."""

    requires_request_body = True

    def __init__(self) -> None:
        self.rounds = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.rounds += 1
        request.headers["Signature"] = f"round-{self.rounds}"
        answer = yield request
        if answer.status_code == 401:
            self.rounds += 1
            request.headers["Signature"] = f"round-{self.rounds}"
            yield request


async def test_signed_get_and_double_knock() -> None:
    def authorized_fetch(request: httpx.Request) -> httpx.Response:
        if request.headers.get("signature") != "round-2":
            return httpx.Response(401)
        return ap_response(actor())

    recorder = Recorder({ACTOR: authorized_fetch})
    async with client_for(recorder) as client:
        assert await client.fetch_object(ACTOR, auth=MarkAuth()) == actor()
    assert recorder.signatures == ["round-1", "round-2"]


# --- delivery -----------------------------------------------------------------------------------


INBOX = "https://remote.example/inbox"


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "retry_after"),
    [
        (202, {}, Outcome.SUCCESS, None),
        (200, {}, Outcome.SUCCESS, None),
        (500, {}, Outcome.RETRY, None),
        (429, {"Retry-After": "30"}, Outcome.RETRY, 30.0),
        (401, {}, Outcome.RETRY, None),
        (404, {}, Outcome.FINAL, None),
        (410, {}, Outcome.GONE, None),
        (302, {"Location": "https://remote.example/elsewhere"}, Outcome.FINAL, None),
    ],
)
async def test_post_classifies_the_answer(
    status: int, headers: dict[str, str], outcome: Outcome, retry_after: float | None
) -> None:
    recorder = Recorder({INBOX: lambda _r: httpx.Response(status, headers=headers)})
    async with client_for(recorder) as client:
        verdict = await client.post(INBOX, b'{"type":"Follow"}', auth=MarkAuth())
    assert (verdict.outcome, verdict.status_code, verdict.retry_after) == (
        outcome,
        status,
        retry_after,
    )
    request = recorder.requests[0]
    assert request.content == b'{"type":"Follow"}'
    assert request.headers["content-type"] == AP
    assert recorder.signatures[0] == "round-1"
    assert len(recorder.requests) == (2 if status == 401 else 1)  # no redirect followed


async def test_post_network_failure_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with SafeClient(transport=httpx.MockTransport(refuse)) as client:
        verdict = await client.post(INBOX, b"{}")
    assert verdict.outcome is Outcome.RETRY


# --- real loopback servers: deadline, drip, sizes, the development switch ---------------------


def loopback_client(**limits: Any) -> SafeClient:
    return SafeClient(allow_private=True, limits=FetchLimits(**limits))


async def test_development_switch_is_off_by_default() -> None:
    async def serve(server: LoopbackServer, reader: Any, writer: Any) -> None:
        line, _headers, _body = await read_request(reader)
        document = actor(f"http://127.0.0.1:{server.port}{line.split()[1]}")
        writer.write(response(200, json.dumps(document).encode(), {"Content-Type": AP}))

    async with LoopbackServer(serve) as server:
        url = f"http://127.0.0.1:{server.port}/users/alice"
        async with SafeClient() as client:
            with pytest.raises(UnsafeURL):
                await client.fetch_object(url)
            assert (await client.post(url, b"{}")).outcome is Outcome.FINAL
        assert server.connections == 0
        async with loopback_client() as client:
            assert (await client.fetch_object(url))["id"] == url
        assert server.connections == 1


async def test_slow_drip_is_cut_at_the_total_deadline() -> None:
    dripped = []

    async def drip(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n")
        writer.write(b"Content-Length: 100000\r\n\r\n")
        # One byte every 20 ms: far inside any inactivity timeout, never a complete answer.
        while not server.release.is_set():
            writer.write(b" ")
            await writer.drain()
            dripped.append(1)
            await asyncio.sleep(0.02)

    async with LoopbackServer(drip) as server:
        started = time.monotonic()
        async with loopback_client(deadline=0.5) as client:
            with pytest.raises(FetchTimeout):
                await client.fetch_object(f"http://127.0.0.1:{server.port}/users/alice")
        elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 30  # the drip alone would last ~2,000 s: only the deadline ends it
    assert len(dripped) >= 5  # bytes kept coming: only a total deadline stops this


async def test_peer_that_never_answers_is_cut_at_the_deadline() -> None:
    async def stall(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        await server.release.wait()

    async with LoopbackServer(stall) as server:
        url = f"http://127.0.0.1:{server.port}/inbox"
        async with loopback_client(deadline=0.3) as client:
            with pytest.raises(FetchTimeout):
                await client.fetch_object(url)
            verdict = await client.post(url, b"{}")
    assert verdict.outcome is Outcome.RETRY
    assert "FetchTimeout" in verdict.reason


async def test_oversized_chunked_body_is_cut_while_streaming() -> None:
    sent = []

    async def flood(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n")
        writer.write(b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 16384
        for _ in range(1000):  # 16 MiB if nobody stops it
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent.append(1)
        writer.write(b"0\r\n\r\n")

    async with LoopbackServer(flood) as server, loopback_client(max_body=256 * 1024) as client:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_object(f"http://127.0.0.1:{server.port}/users/alice")
    assert len(sent) < 1000


async def test_content_length_lies() -> None:
    async def overstates(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n")
        writer.write(b"Content-Length: 5000000\r\n\r\n{")
        await server.release.wait()  # would hang a client that trusted the header

    async def understates(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n")
        writer.write(b"Content-Length: 10\r\n\r\n" + b" " * 2_000_000)

    async def short(server: LoopbackServer, reader: Any, writer: Any) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n")
        writer.write(b"Content-Length: 1000\r\n\r\n{}")
        writer.close()

    async with LoopbackServer(overstates) as server, loopback_client(deadline=5) as client:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_object(f"http://127.0.0.1:{server.port}/a")
    async with LoopbackServer(understates) as server, loopback_client() as client:
        # 10 blank bytes are the body; the rest is garbage on the connection
        with pytest.raises((InvalidDocument, NetworkError)):
            await client.fetch_object(f"http://127.0.0.1:{server.port}/a")
    async with LoopbackServer(short) as server, loopback_client() as client:
        with pytest.raises(NetworkError):
            await client.fetch_object(f"http://127.0.0.1:{server.port}/a")


async def test_real_redirect_loop_and_delivery_on_loopback() -> None:
    async def serve(server: LoopbackServer, reader: Any, writer: Any) -> None:
        while True:
            line, headers, body = await read_request(reader)
            server.requests.append((line, headers, body))
            path = line.split()[1]
            if path == "/inbox":
                writer.write(response(202))
            elif path == "/a":
                writer.write(response(302, headers={"Location": "/b"}))
            else:
                writer.write(response(301, headers={"Location": "/a"}))
            await writer.drain()

    async with LoopbackServer(serve) as server, loopback_client() as client:
        base = f"http://127.0.0.1:{server.port}"
        with pytest.raises(TooManyRedirects, match="loop"):
            await client.fetch_object(f"{base}/a")
        verdict = await client.post(f"{base}/inbox", b'{"type":"Like"}', auth=MarkAuth())
        assert verdict.outcome is Outcome.SUCCESS
        line, headers, body = server.requests[-1]
        assert (line, body, headers["signature"]) == (
            "POST /inbox HTTP/1.1",
            b'{"type":"Like"}',
            "round-1",
        )
        assert server.connections == 1


async def test_connect_timeout_is_a_retryable_timeout() -> None:
    with black_hole_port() as port:
        url = f"http://127.0.0.1:{port}/inbox"
        async with loopback_client(connect_timeout=0.2) as client:
            with pytest.raises(FetchTimeout):
                await client.fetch_object(url)
            verdict = await client.post(url, b"{}")
    assert verdict.outcome is Outcome.RETRY
