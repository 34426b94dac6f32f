"""A fake Fediverse for tests, served over `httpx.MockTransport`: no sockets, no sleeps.

    fediverse = FakeFediverse()
    mastodon = fediverse.add_peer("mastodon.example", verify_signatures=True)
    alice = mastodon.add_actor("alice")
    fediverse.mount("fedimob.example", httpx.ASGITransport(app=app))  # the app under test
    async with fediverse.client() as client: ...      # every host routed in-process
    assert mastodon.accepted[0].activity["type"] == "Accept"

Each `FakePeer` serves WebFinger, NodeInfo 2.1 and its actors' documents, and
records every POST to an inbox. A peer built with `verify_signatures=True`
behaves like Mastodon: it fetches the signer's key over the fake network,
verifies the HTTP signature (draft-cavage or RFC 9421), requires the
activity's `actor` to be the key's owner, and answers 401 otherwise.
Fake actors sign what they send with `actor.auth()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from activitypub.errors import (
    FetchError,
    HTTPStatusError,
    InvalidDocument,
    KeyUnavailable,
    SignatureError,
    WebFingerError,
)
from activitypub.ids import strip_fragment
from activitypub.keys import KeyPair, PrivateKey, generate_rsa_key, load_public_key_pem
from activitypub.nodeinfo import build_nodeinfo, build_nodeinfo_links
from activitypub.signing import HttpSignatureAuth
from activitypub.verify import ResolvedKey, SignatureScheme, VerifiedSignature, verify_request
from activitypub.vocab import find_public_key, loads_json, loads_object, read_id, require_ref
from activitypub.webfinger import Handle, build_jrd, parse_handle

__all__ = ["Delivery", "FakeActor", "FakeFediverse", "FakePeer", "NetworkKeyResolver"]

_AP_TYPE = "application/activity+json"
_AS_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


@dataclass(eq=False)
class FakeActor:
    """An actor of a fake peer, with a real key pair so it can sign."""

    base_url: str
    username: str
    private_key: PrivateKey
    type: str = "Person"

    @property
    def id(self) -> str:
        return f"{self.base_url}/users/{self.username}"

    @property
    def key(self) -> KeyPair:
        return KeyPair(f"{self.id}#main-key", self.private_key)

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base_url}/inbox"

    def document(self) -> dict[str, Any]:
        """The actor document, in Mastodon's shape."""
        return {
            "@context": list(_AS_CONTEXT),
            "id": self.id,
            "type": self.type,
            "preferredUsername": self.username,
            "inbox": self.inbox,
            "outbox": f"{self.id}/outbox",
            "followers": f"{self.id}/followers",
            "following": f"{self.id}/following",
            "url": f"{self.base_url}/@{self.username}",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "publicKey": {
                "id": self.key.key_id,
                "owner": self.id,
                "publicKeyPem": self.key.public_key_pem,
            },
        }

    def auth(self, scheme: SignatureScheme = SignatureScheme.CAVAGE) -> HttpSignatureAuth:
        """An `httpx.Auth` that signs requests as this actor."""
        return HttpSignatureAuth(self.key, scheme=scheme)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST a peer received, and how it answered."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    status: int
    signer: VerifiedSignature | None = None
    reason: str | None = None

    @property
    def activity(self) -> Any:
        """The parsed body."""
        return loads_json(self.body)


class FakePeer:
    """One fake server: its actors, its discovery documents, its inbox log."""

    shared_inbox_path = "/inbox"

    def __init__(
        self,
        fediverse: FakeFediverse,
        host: str,
        *,
        software: str = "mastodon",
        version: str = "4.3.0",
        verify_signatures: bool = False,
        scheme: str = "https",
    ) -> None:
        self.fediverse = fediverse
        self.host = host
        self.base_url = f"{scheme}://{host}"
        self.software = software
        self.version = version
        self.verify_signatures = verify_signatures
        self.actors: dict[str, FakeActor] = {}
        self.deliveries: list[Delivery] = []

    @property
    def accepted(self) -> list[Delivery]:
        """Deliveries answered 202."""
        return [d for d in self.deliveries if d.status == 202]

    def add_actor(
        self, username: str, *, private_key: PrivateKey | None = None, actor_type: str = "Person"
    ) -> FakeActor:
        """Create an actor (RSA-2048 unless a key is given) served at /users/<username>.

        An `actor_type="Application"` actor is advertised in NodeInfo (FEP-2677).
        """
        key = private_key if private_key is not None else generate_rsa_key()
        actor = FakeActor(self.base_url, username, key, actor_type)
        self.actors[username] = actor
        return actor

    def _json(self, document: object, content_type: str = "application/json") -> httpx.Response:
        return httpx.Response(200, json=document, headers={"Content-Type": content_type})

    def _webfinger(self, request: httpx.Request) -> httpx.Response:
        resource = parse_qs(request.url.query.decode()).get("resource", [""])[0]
        try:
            handle = parse_handle(resource)
        except WebFingerError:
            return httpx.Response(400)
        actor = self.actors.get(handle.user)
        if handle.host != self.host or actor is None:
            return httpx.Response(404)
        jrd = build_jrd(
            Handle(actor.username, self.host),
            actor.id,
            profile_url=f"{self.base_url}/@{actor.username}",
            subscribe_template=f"{self.base_url}/authorize_interaction?uri={{uri}}",
        )
        return self._json(jrd, "application/jrd+json")

    def _nodeinfo_links(self) -> httpx.Response:
        application = next((a.id for a in self.actors.values() if a.type == "Application"), None)
        return self._json(build_nodeinfo_links(f"{self.base_url}/nodeinfo/2.1", application))

    def _nodeinfo(self) -> httpx.Response:
        count = len(self.actors)
        document = build_nodeinfo(
            self.software,
            self.version,
            users_total=count,
            users_active_month=count,
            users_active_halfyear=count,
            local_posts=0,
            open_registrations=False,
        )
        return self._json(document)

    async def _receive(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        signer: VerifiedSignature | None = None
        status, reason = 202, None
        try:
            actor = require_ref(loads_object(body), "actor").id
            if self.verify_signatures:
                signer = await verify_request(
                    method=request.method,
                    target=request.url.raw_path.decode("ascii"),
                    headers=dict(request.headers),
                    body=body,
                    resolver=NetworkKeyResolver(self.fediverse),
                    expected_host=self.host,
                    url_scheme=request.url.scheme,
                )
                if signer.owner != actor:
                    raise SignatureError("the activity's actor is not the signer")
        except SignatureError as exc:
            status, reason = 401, str(exc)
        except InvalidDocument as exc:
            status, reason = 400, str(exc)
        self.deliveries.append(
            Delivery(str(request.url), dict(request.headers), body, status, signer, reason)
        )
        return httpx.Response(status)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request addressed to this host."""
        path = request.url.path
        if request.method == "POST":
            inboxes = {self.shared_inbox_path} | {f"/users/{u}/inbox" for u in self.actors}
            return await self._receive(request) if path in inboxes else httpx.Response(404)
        if path == "/.well-known/webfinger":
            return self._webfinger(request)
        if path == "/.well-known/nodeinfo":
            return self._nodeinfo_links()
        if path == "/nodeinfo/2.1":
            return self._nodeinfo()
        actor = self.actors.get(path.removeprefix("/users/"))
        if path.startswith("/users/") and actor is not None:
            return self._json(actor.document(), _AP_TYPE)
        return httpx.Response(404)


class NetworkKeyResolver:
    """A `verify.KeyResolver` that fetches the signer's actor over the fake network.

    The key must be listed by the actor document it is fetched from, and that
    actor is its owner (what Mastodon checks). Nothing is cached: every
    resolution is fresh.
    """

    def __init__(self, fediverse: FakeFediverse) -> None:
        self.fediverse = fediverse

    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        """Fetch the document at `key_id` (without fragment) and find the key in it."""
        try:
            document = await self.fediverse.get_json(strip_fragment(key_id), accept=_AP_TYPE)
            key = find_public_key(document, key_id)
            owner = read_id(document)
            if key is None or key.pem is None or key.owner != owner:
                raise KeyUnavailable(f"{key_id} is not a key of {owner}")
            return ResolvedKey(load_public_key_pem(key.pem), owner, fresh=True)
        except (FetchError, InvalidDocument) as exc:
            raise KeyUnavailable(f"cannot resolve {key_id}") from exc


@dataclass
class FakeFediverse:
    """Hosts to fake peers (or mounted transports), behind one `httpx.MockTransport`."""

    peers: dict[str, FakePeer] = field(default_factory=dict)
    mounts: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)

    def add_peer(self, host: str, **options: Any) -> FakePeer:
        """A new fake server at `host` (options: software, version, verify_signatures, scheme)."""
        peer = FakePeer(self, host, **options)
        self.peers[host] = peer
        return peer

    def mount(self, host: str, transport: httpx.AsyncBaseTransport) -> None:
        """Route `host` to another transport, e.g. `httpx.ASGITransport(app=...)`."""
        self.mounts[host] = transport

    async def _route(self, request: httpx.Request) -> httpx.Response:
        host = request.url.netloc.decode("ascii")
        if host in self.mounts:
            return await self.mounts[host].handle_async_request(request)
        if host in self.peers:
            return await self.peers[host].handle(request)
        raise httpx.ConnectError(f"no fake host {host}", request=request)

    def transport(self) -> httpx.MockTransport:
        """The transport to give the code under test."""
        return httpx.MockTransport(self._route)

    def client(self, **options: Any) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` wired to the fake network."""
        return httpx.AsyncClient(transport=self.transport(), **options)

    async def get_json(self, url: str, /, *, accept: str) -> Any:
        """A `webfinger.JSONGetter` over the fake network (no SSRF guard: tests only)."""
        async with self.client() as client:
            try:
                response = await client.get(url, headers={"Accept": accept})
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {exc}") from exc
        if not response.is_success:
            raise HTTPStatusError(response.status_code, url)
        return loads_json(response.content)
