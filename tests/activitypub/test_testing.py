"""The fake Fediverse: discovery, actor documents, and a Mastodon-like signature check."""

from __future__ import annotations

import httpx
import orjson
import pytest

from activitypub.errors import FetchError, HTTPStatusError
from activitypub.keys import generate_ed25519_key, generate_rsa_key, load_public_key_pem
from activitypub.nodeinfo import discover_nodeinfo
from activitypub.signing import sign_request
from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from activitypub.verify import SignatureScheme
from activitypub.vocab import read_public_keys
from activitypub.webfinger import resolve_handle

# One RSA key per role for the whole module: generating them is the slow part.
ALICE_KEY = generate_rsa_key()
BOB_KEY = generate_rsa_key()


@pytest.fixture
def fediverse() -> FakeFediverse:
    return FakeFediverse()


@pytest.fixture
def mastodon(fediverse: FakeFediverse) -> FakePeer:
    return fediverse.add_peer("mastodon.example", verify_signatures=True)


@pytest.fixture
def alice(mastodon: FakePeer) -> FakeActor:
    return mastodon.add_actor("alice", private_key=ALICE_KEY)


@pytest.fixture
def bob(fediverse: FakeFediverse) -> FakeActor:
    peer = fediverse.add_peer("mobilizon.example", software="mobilizon")
    return peer.add_actor("bob", private_key=BOB_KEY)


def follow(actor: str, target: str) -> bytes:
    return orjson.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}#follows/1",
            "type": "Follow",
            "actor": actor,
            "object": target,
        }
    )


async def test_discovery_through_the_fake(fediverse: FakeFediverse, alice: FakeActor) -> None:
    result = await resolve_handle("@alice@mastodon.example", fediverse.get_json)
    assert result.actor_id == alice.id
    assert result.subscribe_template == ("https://mastodon.example/authorize_interaction?uri={uri}")
    summary = await discover_nodeinfo("mastodon.example", fediverse.get_json)
    assert summary.software_name == "mastodon"
    assert summary.application_actor is None


async def test_instance_actor_is_advertised(fediverse: FakeFediverse, mastodon: FakePeer) -> None:
    actor = mastodon.add_actor("mastodon.example", private_key=ALICE_KEY, actor_type="Application")
    summary = await discover_nodeinfo("mastodon.example", fediverse.get_json)
    assert summary.application_actor == actor.id


async def test_actor_document_carries_its_key(fediverse: FakeFediverse, alice: FakeActor) -> None:
    async with fediverse.client() as client:
        response = await client.get(alice.id)
    assert response.headers["content-type"] == "application/activity+json"
    [key] = read_public_keys(response.json())
    assert key.id == alice.key.key_id
    assert key.pem is not None
    assert load_public_key_pem(key.pem) == ALICE_KEY.public_key()


@pytest.mark.parametrize("scheme", [SignatureScheme.CAVAGE, SignatureScheme.RFC9421])
async def test_signed_delivery_is_accepted(
    fediverse: FakeFediverse,
    mastodon: FakePeer,
    alice: FakeActor,
    bob: FakeActor,
    scheme: SignatureScheme,
) -> None:
    async with fediverse.client() as client:
        response = await client.post(
            alice.inbox, content=follow(bob.id, alice.id), auth=bob.auth(scheme)
        )
    assert response.status_code == 202
    [delivery] = mastodon.accepted
    assert delivery.signer is not None
    assert delivery.signer.owner == bob.id
    assert delivery.signer.scheme is scheme
    assert delivery.activity["type"] == "Follow"


async def test_ed25519_signer(
    fediverse: FakeFediverse, mastodon: FakePeer, alice: FakeActor
) -> None:
    carol = fediverse.add_peer("gts.example").add_actor("carol", private_key=generate_ed25519_key())
    async with fediverse.client() as client:
        response = await client.post(
            alice.inbox, content=follow(carol.id, alice.id), auth=carol.auth()
        )
    assert response.status_code == 202


async def test_unsigned_delivery_is_refused(
    fediverse: FakeFediverse, mastodon: FakePeer, alice: FakeActor, bob: FakeActor
) -> None:
    async with fediverse.client() as client:
        response = await client.post(mastodon.base_url + "/inbox", content=follow(bob.id, alice.id))
    assert response.status_code == 401
    assert mastodon.accepted == []
    assert mastodon.deliveries[0].reason


async def test_signing_for_someone_else_is_refused(
    fediverse: FakeFediverse, mastodon: FakePeer, alice: FakeActor, bob: FakeActor
) -> None:
    async with fediverse.client() as client:
        response = await client.post(
            alice.inbox, content=follow(alice.id, alice.id), auth=bob.auth()
        )
    assert response.status_code == 401
    assert "signer" in (mastodon.deliveries[0].reason or "")


async def test_tampered_body_is_refused(
    fediverse: FakeFediverse, mastodon: FakePeer, alice: FakeActor, bob: FakeActor
) -> None:
    signed = httpx.Request("POST", alice.inbox, content=follow(bob.id, alice.id))
    sign_request(signed, bob.key)
    tampered = httpx.Request(
        "POST", alice.inbox, headers=signed.headers, content=follow(bob.id, bob.id)
    )
    async with fediverse.client() as client:
        response = await client.send(tampered)
    assert response.status_code == 401
    assert "Digest" in (mastodon.deliveries[0].reason or "")


async def test_unknown_signer_is_refused(
    fediverse: FakeFediverse, mastodon: FakePeer, alice: FakeActor
) -> None:
    ghost = FakeActor("https://ghost.example", "ghost", BOB_KEY)
    async with fediverse.client() as client:
        response = await client.post(
            alice.inbox, content=follow(ghost.id, alice.id), auth=ghost.auth()
        )
    assert response.status_code == 401
    # Refused with both schemes: the signer's auth knocks twice on a 401.
    assert [d.status for d in mastodon.deliveries] == [401, 401]
    assert "cannot resolve" in (mastodon.deliveries[0].reason or "")


async def test_trusting_peer_records_everything(fediverse: FakeFediverse, bob: FakeActor) -> None:
    peer = fediverse.peers["mobilizon.example"]
    async with fediverse.client() as client:
        response = await client.post(
            bob.shared_inbox, content=follow("https://x.example/u", bob.id)
        )
        missing = await client.post(peer.base_url + "/nowhere", content=b"{}")
        bad = await client.post(bob.inbox, content=b"not json")
    assert (response.status_code, missing.status_code, bad.status_code) == (202, 404, 400)
    assert [d.status for d in peer.deliveries] == [202, 400]


async def test_unknown_hosts_and_mounts(fediverse: FakeFediverse) -> None:
    with pytest.raises(FetchError):
        await fediverse.get_json("https://nowhere.example/x", accept="application/json")
    fediverse.mount(
        "fedimob.example",
        httpx.MockTransport(lambda request: httpx.Response(200, json={"path": request.url.path})),
    )
    assert await fediverse.get_json("https://fedimob.example/a", accept="application/json") == {
        "path": "/a"
    }
    fediverse.add_peer("quiet.example")
    with pytest.raises(HTTPStatusError):
        await fediverse.get_json("https://quiet.example/users/nobody", accept="application/json")
