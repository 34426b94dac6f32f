"""Inputs that once gave a 500, slipped past a block, or miscounted: each gets its answer now."""

from datetime import timedelta

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.participation import join, leave
from fedimob.errors import InvalidTransition
from fedimob.federation.hosts import block
from fedimob.federation.ratelimit import TokenBuckets
from fedimob.federation.retention import purge_inbox
from fedimob.jobs.worker import Worker
from fedimob.models import Actor, Campaign, InboxItem, JoinVia, OutboxActivity
from tests.fedimob.factories import make_actor, make_campaign
from tests.fedimob.federation.conftest import follow_of, new_id, post

CAMPAIGN = "https://fedimob.test/campaigns/river"
JSON = {"content-type": "application/activity+json"}


@pytest.mark.parametrize("target", [5, "not a url", ["https://a.example/u", "https://b.example/v"]])
async def test_unsigned_deletes_with_odd_objects_are_refused_not_500(
    client: httpx.AsyncClient, db: Database, target: object
) -> None:
    delete = {
        "id": "https://a.example/u#d",
        "type": "Delete",
        "actor": "https://a.example/u",
        "object": target,
    }
    answer = await client.post("/inbox", content=orjson.dumps(delete), headers=JSON)
    assert answer.status_code in {400, 401}


async def test_an_actor_with_an_unusable_key_gets_401(
    client: httpx.AsyncClient, db: Database, mastodon: FakePeer
) -> None:
    await make_campaign(slug="river")
    weak = mastodon.add_actor("weak")
    document = weak.document()
    weak.document = lambda: {
        **document,
        "publicKey": {**document["publicKey"], "publicKeyPem": "garbage"},
    }  # type: ignore[method-assign]
    for _ in range(2):  # fresh, then (not) cached
        assert (await post(client, "/inbox", follow_of(weak, CAMPAIGN), weak)).status_code == 401
    assert not await Actor.exists(ap_id=weak.id)


@pytest.mark.parametrize("spelling", ["evil.example.", "EVIL.example", "sub.evil.example"])
async def test_blocks_cover_every_spelling_of_a_domain(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse, spelling: str
) -> None:
    await make_campaign(slug="river")
    await block("evil.example")
    peer = fediverse.add_peer(spelling)
    mallory = peer.add_actor("mallory")
    assert (await post(client, "/inbox", follow_of(mallory, CAMPAIGN), mallory)).status_code == 403


async def test_nul_characters_are_refused_before_the_database(
    client: httpx.AsyncClient, worker: Worker, db: Database, alice: FakeActor, mastodon: FakePeer
) -> None:
    await make_campaign(slug="river")
    poisoned = {**follow_of(alice, CAMPAIGN), "content": "a\u0000b"}
    assert (await post(client, "/inbox", poisoned, alice)).status_code == 400
    named = mastodon.add_actor("named")
    document = named.document()
    named.document = lambda: {**document, "name": "Na\u0000me\u0007"}  # type: ignore[method-assign]
    assert (await post(client, "/inbox", follow_of(named, CAMPAIGN), named)).status_code == 202
    assert (await Actor.get(ap_id=named.id)).display_name == "Name"


async def test_a_very_long_host_is_stored(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    host = ".".join(["a" * 60] * 4) + ".example:65535"
    peer = fediverse.add_peer(host)
    person = peer.add_actor("p")
    await make_campaign(slug="river")
    assert (await post(client, "/inbox", follow_of(person, CAMPAIGN), person)).status_code == 202
    assert (await Actor.get(ap_id=person.id)).domain == host


@pytest.mark.parametrize("cursor", ["\u00b2", "9" * 5000, "9" * 25, "-1", "1e5"])
async def test_odd_outbox_cursors_are_ignored(
    client: httpx.AsyncClient, db: Database, cursor: str
) -> None:
    await make_campaign(slug="river")
    answer = await client.get(
        "/campaigns/river/outbox", params={"page": "true", "max_id": cursor},
        headers={"accept": "application/activity+json"},
    )  # fmt: skip
    assert answer.status_code == 200


@pytest.mark.parametrize("resource", ["https://[oops/x", "http://[::1", "acct:@", "acct:a@[x"])
async def test_unparsable_webfinger_resources_are_404(
    client: httpx.AsyncClient, db: Database, resource: str
) -> None:
    answer = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert answer.status_code == 404


async def test_unsigned_junk_cannot_spend_a_real_peers_budget(
    app: Starlette, client: httpx.AsyncClient, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    app.state.inbox_limiter = TokenBuckets(rate=0.1, burst=2)
    for _ in range(5):
        forged = await client.post(
            "/inbox", content=orjson.dumps(follow_of(alice, CAMPAIGN)), headers=JSON
        )
        assert forged.status_code == 401
    assert (await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)).status_code == 202


@pytest.mark.parametrize(
    "kind", ["Like\n2026-11-24 INFO fedimob: admin password reset ok", "", " Follow", "x" * 70]
)
async def test_types_that_could_forge_log_lines_are_refused(
    client: httpx.AsyncClient, db: Database, alice: FakeActor, kind: str
) -> None:
    activity = {"id": new_id(alice), "type": kind, "actor": alice.id}
    assert (await post(client, "/inbox", activity, alice)).status_code == 400


async def test_running_campaigns_are_never_crowded_out_by_ended_ones(
    client: httpx.AsyncClient, db: Database
) -> None:
    from fedimob.domain.lifecycle import end_if_due

    past = utcnow() - timedelta(days=30)
    for n in range(55):
        old = await make_campaign(slug=f"old{n}", now=past, deadline=past + timedelta(days=1))
        await end_if_due(old.id)
    await make_campaign(slug="running_one", title="Still running")
    assert "Still running" in (await client.get("/")).text


async def test_a_cancelled_campaign_is_never_announced_as_live(
    client: httpx.AsyncClient, worker: Worker, db: Database
) -> None:
    campaign = await make_campaign(slug="river")  # its announcement job is pending
    await cancel_campaign(campaign)
    await worker.run_once()
    kinds = set(await OutboxActivity.all().values_list("activity_type", flat=True))
    assert "Create" not in kinds
    assert "Announce" not in kinds


async def test_the_publication_is_announced_once_even_if_its_job_runs_twice(
    worker: Worker, db: Database
) -> None:
    from fedimob.jobs.queue import enqueue

    campaign = await make_campaign(slug="river")
    await worker.run_once()
    sent = await OutboxActivity.all().count()
    assert sent == 4  # Create{Event}, Create{Question}, two Announces (association, instance)
    await enqueue("campaign.published", {"campaign_id": campaign.id})
    await worker.run_once()
    assert await OutboxActivity.all().count() == sent


async def test_no_withdrawal_once_the_deadline_has_passed(db: Database) -> None:
    now = utcnow()
    campaign = await make_campaign(goal_target=1, now=now, deadline=now + timedelta(hours=1))
    actor = await make_actor()
    await join(campaign, actor, via=JoinVia.WEB, now=now)
    with pytest.raises(InvalidTransition):
        await leave(campaign, actor, now=now + timedelta(hours=2))
    assert (await Campaign.get(id=campaign.id)).participants_count == 1


async def test_inbox_payloads_are_kept_a_week_and_ids_a_month(
    client: httpx.AsyncClient, worker: Worker, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)
    await worker.run_once()
    await purge_inbox(utcnow() + timedelta(days=8))
    item = await InboxItem.get()
    assert item.payload == {}
    await purge_inbox(utcnow() + timedelta(days=31))
    assert not await InboxItem.exists()
