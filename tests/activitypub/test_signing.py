"""Outbound signing through httpx, checked by our own verifier; double-knocking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from activitypub.errors import SignatureError
from activitypub.keys import KeyPair, generate_rsa_key
from activitypub.signing import SCHEME_EXTENSION, HttpSignatureAuth, sign_request
from activitypub.verify import ResolvedKey, SignatureScheme, verify_request

NOW = 1703066400.0
PAIR = KeyPair("https://local.example/actors/1#main-key", generate_rsa_key())


class Resolver:
    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        assert key_id == PAIR.key_id
        return ResolvedKey(PAIR.public_key, "https://local.example/actors/1", fresh=True)


class Peer:
    """A server that verifies signatures with our pipeline, accepting some schemes."""

    def __init__(self, *accepted: SignatureScheme) -> None:
        self.accepted = set(accepted)
        self.seen: list[SignatureScheme | str] = []
        self.headers: list[httpx.Headers] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        try:
            verified = await verify_request(
                method=request.method,
                target=request.url.raw_path.decode(),
                headers=request.headers,
                body=request.content,
                resolver=Resolver(),
                now=NOW,
                expected_host="remote.example",
            )
        except SignatureError as exc:
            self.seen.append(type(exc).__name__)
            return httpx.Response(401, text="bad signature")
        self.seen.append(verified.scheme)
        if verified.scheme not in self.accepted:
            return httpx.Response(401, text="scheme not supported")
        return httpx.Response(202)


def client(peer: Peer) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(peer))


def auth(**options: object) -> HttpSignatureAuth:
    clock: Callable[[], float] = lambda: NOW  # noqa: E731
    return HttpSignatureAuth(PAIR, clock=clock, **options)  # type: ignore[arg-type]


async def test_post_is_signed_with_cavage_by_default() -> None:
    peer = Peer(SignatureScheme.CAVAGE)
    signer = auth()
    async with client(peer) as http:
        response = await http.post(
            "https://remote.example/inbox?x=1",
            content=b'{"type": "Follow"}',
            headers={"Content-Type": "application/activity+json"},
            auth=signer,
        )
    assert response.status_code == 202
    assert peer.seen == [SignatureScheme.CAVAGE]
    assert signer.accepted_scheme is SignatureScheme.CAVAGE
    sent = peer.headers[0]
    assert sent["date"] == "Wed, 20 Dec 2023 10:00:00 GMT"
    assert sent["digest"].startswith("SHA-256=")
    assert 'headers="(request-target) host date digest content-type"' in sent["signature"]
    assert response.request.extensions[SCHEME_EXTENSION] is SignatureScheme.CAVAGE


async def test_get_is_signed_with_accept() -> None:
    peer = Peer(SignatureScheme.CAVAGE)
    async with client(peer) as http:
        response = await http.get(
            "https://remote.example/users/bob?page=1",
            headers={"Accept": "application/activity+json"},
            auth=auth(),
        )
    assert response.status_code == 202
    assert 'headers="(request-target) host date accept"' in peer.headers[0]["signature"]
    assert "digest" not in peer.headers[0]


async def test_double_knock_falls_back_to_rfc9421_and_reports_it() -> None:
    peer = Peer(SignatureScheme.RFC9421)
    signer = auth()
    async with client(peer) as http:
        response = await http.post("https://remote.example/inbox", content=b"{}", auth=signer)
    assert response.status_code == 202
    assert peer.seen == [SignatureScheme.CAVAGE, SignatureScheme.RFC9421]
    assert signer.accepted_scheme is SignatureScheme.RFC9421
    second = peer.headers[1]
    assert "content-digest" in second
    assert "digest" not in second
    assert second["signature-input"].startswith('sig1=("@method" "@target-uri" "content-digest")')
    assert response.request.extensions[SCHEME_EXTENSION] is SignatureScheme.RFC9421


async def test_known_rfc9421_peer_is_asked_with_it_first_and_can_fall_back() -> None:
    peer = Peer(SignatureScheme.RFC9421)
    signer = auth(scheme=SignatureScheme.RFC9421)
    async with client(peer) as http:
        await http.post("https://remote.example/inbox", content=b"{}", auth=signer)
    assert peer.seen == [SignatureScheme.RFC9421]
    cavage_only = Peer(SignatureScheme.CAVAGE)
    signer = auth(scheme=SignatureScheme.RFC9421)
    async with client(cavage_only) as http:
        response = await http.post("https://remote.example/inbox", content=b"{}", auth=signer)
    assert response.status_code == 202
    assert cavage_only.seen == [SignatureScheme.RFC9421, SignatureScheme.CAVAGE]
    assert signer.accepted_scheme is SignatureScheme.CAVAGE


@pytest.mark.parametrize(("double_knock", "attempts"), [(True, 2), (False, 1)])
async def test_refused_twice_gives_the_401_and_no_scheme(double_knock: bool, attempts: int) -> None:
    peer = Peer()
    signer = auth(double_knock=double_knock)
    async with client(peer) as http:
        response = await http.post("https://remote.example/inbox", content=b"{}", auth=signer)
    assert response.status_code == 401
    assert len(peer.seen) == attempts
    assert signer.accepted_scheme is None


async def test_a_signature_for_another_host_is_refused_by_the_peer() -> None:
    peer = Peer(SignatureScheme.CAVAGE)
    async with client(peer) as http:
        response = await http.post("https://elsewhere.example/inbox", content=b"{}", auth=auth())
    assert response.status_code == 401
    assert peer.seen == ["SignatureInvalid", "SignatureInvalid"]


def test_sign_request_keeps_an_explicit_date_and_replaces_signatures() -> None:
    request = httpx.Request(
        "POST",
        "https://remote.example/inbox",
        content=b"{}",
        headers={"Date": "Wed, 20 Dec 2023 09:59:00 GMT"},
    )
    sign_request(request, PAIR, now=NOW)
    assert request.headers["date"] == "Wed, 20 Dec 2023 09:59:00 GMT"
    assert request.headers["host"] == "remote.example"
    first = request.headers["signature"]
    sign_request(request, PAIR, SignatureScheme.RFC9421, now=NOW)
    assert "digest" not in request.headers
    assert request.headers["signature"] != first
    assert request.headers["signature-input"].endswith(f'keyid="{PAIR.key_id}"')


def test_sync_client_is_signed_too() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        verified = asyncio.run(
            verify_request(
                method=request.method,
                target=request.url.raw_path.decode(),
                headers=request.headers,
                body=request.content,
                resolver=Resolver(),
                now=NOW,
            )
        )
        seen.append(verified.owner)
        return httpx.Response(202)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        response = http.post("https://remote.example/inbox", content=b"{}", auth=auth())
    assert response.status_code == 202
    assert seen == ["https://local.example/actors/1"]
