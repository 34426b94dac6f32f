"""The inbox, from the outside: what remote servers send, what they get back."""

import asyncio
import time
from email.utils import formatdate

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.db import Database
from fedimob.domain.participation import join
from fedimob.federation.hosts import block
from fedimob.federation.ratelimit import TokenBuckets
from fedimob.jobs.worker import Worker
from fedimob.models import (
    Actor,
    ActorBlock,
    Campaign,
    Follow,
    FollowState,
    InboxItem,
    InboxState,
    JoinVia,
    Report,
)
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import follow_of, new_id, post

CAMPAIGN = "https://fedimob.test/campaigns/river"


@pytest.fixture
async def river(db: Database) -> Campaign:
    return await make_campaign(slug="river")


async def test_a_mastodon_follow_is_accepted_and_the_accept_verifies_there(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, mastodon: FakePeer, alice: FakeActor
) -> None:
    follow = follow_of(alice, CAMPAIGN)
    answer = await post(client, "/campaigns/river/inbox", follow, alice)
    assert answer.status_code == 202
    await worker.run_once()
    row = await Follow.get(followed_id=river.actor_id).select_related("follower")  # type: ignore[attr-defined]
    assert (row.state, row.follower.ap_id, row.ap_id) == (
        FollowState.ACCEPTED,
        alice.id,
        follow["id"],
    )
    [delivery] = [d for d in mastodon.deliveries if d.activity["type"] == "Accept"]
    assert delivery.status == 202, delivery.reason  # Mastodon-like peer checked our signature
    assert delivery.url == "https://mastodon.example/inbox"  # the shared inbox
    accept = delivery.activity
    assert (accept["type"], accept["actor"]) == ("Accept", CAMPAIGN)
    assert accept["object"]["id"] == follow["id"]
    assert delivery.signer is not None
    assert delivery.signer.key_id == CAMPAIGN + "#main-key"


async def test_a_replayed_follow_is_stored_and_answered_once(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, mastodon: FakePeer, alice: FakeActor
) -> None:
    follow = follow_of(alice, CAMPAIGN)
    for _ in range(3):
        assert (await post(client, "/inbox", follow, alice)).status_code == 202
    await worker.run_once()
    assert await InboxItem.all().count() == 1
    assert await Follow.all().count() == 1
    # Answered once: one Accept and one welcome poll, privately (the campaign's public
    # Create, if its job runs after the follow, may reach alice as a new follower too).
    answers = [
        d.activity["type"] for d in mastodon.deliveries
        if d.activity["type"] == "Accept" or d.activity["object"].get("to") == [alice.id]
    ]  # fmt: skip
    assert answers == ["Accept", "Create"]


async def test_undo_removes_only_the_signers_own_follow(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, mastodon: FakePeer, alice: FakeActor
) -> None:
    bob = mastodon.add_actor("bob")
    follow = follow_of(alice, CAMPAIGN)
    await post(client, "/inbox", follow, alice)
    await post(client, "/inbox", follow_of(bob, CAMPAIGN), bob)
    await worker.run_once()
    forged = {"id": new_id(bob), "type": "Undo", "actor": bob.id, "object": follow["id"]}
    await post(client, "/inbox", forged, bob)
    await worker.run_once()
    assert await Follow.all().count() == 2
    undo = {"id": new_id(alice), "type": "Undo", "actor": alice.id, "object": follow}
    await post(client, "/inbox", undo, alice)
    await worker.run_once()
    remaining = await Follow.all().select_related("follower")
    assert [row.follower.ap_id for row in remaining] == [bob.id]


async def test_unsigned_and_mis_signed_requests_are_401_and_leave_nothing(
    client: httpx.AsyncClient, river: Campaign, mastodon: FakePeer, alice: FakeActor
) -> None:
    mallory = mastodon.add_actor("mallory")
    follow = follow_of(alice, CAMPAIGN)
    assert (await post(client, "/inbox", follow, None)).status_code == 401
    assert (await post(client, "/inbox", follow, mallory)).status_code == 401  # actor != signer
    stale = formatdate(time.time() - 3 * 3600, usegmt=True)
    assert (await post(client, "/inbox", follow, alice, date=stale)).status_code == 401
    answer = await post(client, "/inbox", follow, alice, host="elsewhere.example")
    assert answer.status_code == 401
    assert answer.json() == {"error": "signature verification failed"}
    assert not await InboxItem.exists()


async def test_a_body_changed_after_signing_is_401(
    client: httpx.AsyncClient, river: Campaign, alice: FakeActor
) -> None:
    follow = follow_of(alice, CAMPAIGN)
    request = client.build_request(
        "POST",
        "/inbox",
        content=orjson.dumps(follow),
        headers={"content-type": "application/activity+json"},
    )
    signed = next(alice.auth().auth_flow(request))
    tampered = httpx.Request(
        "POST", signed.url, headers=signed.headers,
        content=orjson.dumps({**follow, "object": "https://fedimob.test/actor"}),
    )  # fmt: skip
    tampered.headers["content-length"] = str(len(tampered.content))
    assert (await client.send(tampered)).status_code == 401
    assert not await InboxItem.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"x" * (1024 * 1024 + 1), 413),
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"id": "https://mastodon.example/1", "type": "Follow"}', 400),
        (b'{"type": "Follow", "actor": "https://mastodon.example/users/alice"}', 400),
        (b'{"id": "x", "type": "Follow", "actor": "https://mastodon.example/users/alice"}', 400),
        (b'{"id": "https://mastodon.example/1", "type": "Follow", "actor": 12}', 400),
        (
            b'{"id": "https://m.example/1", "type": "Follow", "actor": "https://m.example/a", '
            b'"n": 1e999999}',
            400,
        ),
    ],
)
async def test_malformed_and_oversized_bodies_get_a_clear_status(
    client: httpx.AsyncClient, db: Database, body: bytes, status: int
) -> None:
    answer = await client.post(
        "/inbox", content=body, headers={"content-type": "application/activity+json"}
    )
    assert answer.status_code == status
    assert "error" in answer.json()
    assert not await InboxItem.exists()


async def test_activity_ids_must_be_on_the_actors_origin(
    client: httpx.AsyncClient, river: Campaign, alice: FakeActor
) -> None:
    follow = {**follow_of(alice, CAMPAIGN), "id": "https://elsewhere.example/follows/1"}
    assert (await post(client, "/inbox", follow, alice)).status_code == 400
    assert not await InboxItem.exists()


async def test_blocked_domains_get_403(
    client: httpx.AsyncClient, river: Campaign, alice: FakeActor
) -> None:
    await block("Mastodon.Example")
    assert (await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)).status_code == 403
    assert not await InboxItem.exists()


async def test_a_flood_from_one_host_gets_429_with_retry_after(
    app: Starlette, client: httpx.AsyncClient, river: Campaign, alice: FakeActor
) -> None:
    app.state.inbox_limiter = TokenBuckets(rate=0.5, burst=3)
    statuses = [(await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)) for _ in range(5)]
    assert [r.status_code for r in statuses] == [202, 202, 202, 429, 429]
    assert int(statuses[-1].headers["retry-after"]) >= 1


async def test_an_unknown_actors_self_delete_costs_nothing(
    client: httpx.AsyncClient, fediverse: FakeFediverse, db: Database
) -> None:
    gone = "https://vanished.example/users/ghost"
    delete = {"id": gone + "#delete", "type": "Delete", "actor": gone, "object": gone}
    answer = await client.post(
        "/inbox",
        content=orjson.dumps(delete),
        headers={"content-type": "application/activity+json"},
    )
    assert answer.status_code == 202  # vanished.example does not even exist: nothing fetched
    assert not await InboxItem.exists()


async def test_a_deleted_actor_leaves_and_counts_drop_once(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, alice: FakeActor
) -> None:
    await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)
    await worker.run_once()
    remote = await Actor.get(ap_id=alice.id)
    await join(river, remote, via=JoinVia.JOIN_ACTIVITY)
    assert (await Campaign.get(id=river.id)).participants_count == 1
    delete = {"id": alice.id + "#delete", "type": "Delete", "actor": alice.id, "object": alice.id}
    for _ in range(2):
        await post(client, "/inbox", delete, alice)
    await worker.run_once()
    assert (await Campaign.get(id=river.id)).participants_count == 0
    assert not await Follow.exists()
    assert (await Actor.get(ap_id=alice.id)).deleted_at is not None


async def test_update_of_an_actor_only_by_itself(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, mastodon: FakePeer, alice: FakeActor
) -> None:
    bob = mastodon.add_actor("bob")
    for person in (alice, bob):
        await post(client, "/inbox", follow_of(person, CAMPAIGN), person)
    await worker.run_once()
    renamed = {**alice.document(), "name": "Alice Liddell"}
    forged = {
        "id": new_id(bob),
        "type": "Update",
        "actor": bob.id,
        "object": {**renamed, "name": "Pwned"},
    }
    await post(client, "/inbox", forged, bob)
    genuine = {"id": new_id(alice), "type": "Update", "actor": alice.id, "object": renamed}
    await post(client, "/inbox", genuine, alice)
    await worker.run_once()
    assert (await Actor.get(ap_id=alice.id)).display_name == "Alice Liddell"


async def test_block_and_flag_are_recorded_and_unknown_types_ignored(
    client: httpx.AsyncClient, worker: Worker, river: Campaign, alice: FakeActor
) -> None:
    await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)
    await post(
        client,
        "/inbox",
        {"id": new_id(alice), "type": "Block", "actor": alice.id, "object": CAMPAIGN},
        alice,
    )
    flag = {
        "id": new_id(alice),
        "type": "Flag",
        "actor": alice.id,
        "object": [CAMPAIGN, "https://other.example/x"],
        "content": "<script>x</script>Spam",
    }
    await post(client, "/inbox", flag, alice)
    await post(client, "/inbox", {"id": new_id(alice), "type": "Dance", "actor": alice.id}, alice)
    await worker.run_once()
    assert await ActorBlock.exists(blocked_id=river.actor_id)  # type: ignore[attr-defined]
    assert not await Follow.exists()  # a block ends the follow
    report = await Report.get()
    assert report.object_ids == [CAMPAIGN]
    assert "<script>" not in report.content
    states = {i.activity_type: i.state for i in await InboxItem.all()}
    assert states["Dance"] == InboxState.PROCESSED


async def test_a_follow_of_something_not_ours_is_refused_at_processing(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/nothing"), alice)
    await worker.run_once()
    item = await InboxItem.get()
    assert item.state == InboxState.FAILED
    assert not mastodon.deliveries


async def test_concurrent_duplicates_are_stored_once(
    client: httpx.AsyncClient, river: Campaign, alice: FakeActor
) -> None:
    follow = follow_of(alice, CAMPAIGN)
    answers = await asyncio.gather(*(post(client, "/inbox", follow, alice) for _ in range(8)))
    assert {a.status_code for a in answers} == {202}
    assert await InboxItem.all().count() == 1
