"""What we send: publication, cancellation, follows of remote actors, and delivery failures."""

from datetime import date, timedelta

import httpx
import pytest

from activitypub.errors import ActivityPubError
from activitypub.retry import HostHealth
from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.actors import rotate_keys
from fedimob.domain.campaigns import cancel_campaign, edit_campaign, publish_campaign
from fedimob.errors import InvalidTransition, ValidationError
from fedimob.federation.context import Federation
from fedimob.federation.follows import follow_remote, followed_by, unfollow_remote
from fedimob.federation.hosts import block, health_of
from fedimob.jobs.worker import Worker
from fedimob.models import (
    Actor,
    Campaign,
    Follow,
    FollowState,
    Job,
    JobState,
    OutboxActivity,
    RemoteHost,
)
from tests.fedimob.factories import make_association, make_campaign
from tests.fedimob.federation.conftest import follow_of, new_id, post


async def followed_by_alice(
    client: httpx.AsyncClient, worker: Worker, alice: FakeActor, *targets: str
) -> None:
    for target in targets:
        await post(client, "/inbox", follow_of(alice, target), alice)
    await worker.run_once()


async def test_publishing_sends_create_event_and_the_association_announces_it(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    association = await make_association(username="rivers")
    campaign = await make_campaign(association, slug="cleanup", publish=False)
    # A draft is not an actor yet: people follow the association and hear of it.
    await followed_by_alice(client, worker, alice, "https://fedimob.test/associations/rivers")
    mastodon.deliveries.clear()
    await publish_campaign(campaign)
    await worker.run_once()
    [delivery] = mastodon.deliveries
    assert delivery.status == 202, delivery.reason
    announce = delivery.activity
    assert announce["type"] == "Announce"
    assert announce["actor"] == "https://fedimob.test/associations/rivers"
    assert announce["object"] == "https://fedimob.test/campaigns/cleanup/event"
    # The Create is the campaign's public outbox entry, and the Event can be fetched.
    event = await client.get(announce["object"], headers={"accept": "application/activity+json"})
    assert event.json()["type"] == "Event"
    creates = await OutboxActivity.filter(activity_type="Create").order_by("id")
    assert [c.payload["object"]["type"] for c in creates] == ["Event", "Question"]
    assert creates[0].payload["object"]["id"] == announce["object"]
    fetched = await client.get(creates[0].ap_id, headers={"accept": "application/activity+json"})
    assert fetched.json()["type"] == "Create"


async def test_cancelling_sends_delete_and_the_event_is_gone(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    campaign = await make_campaign(slug="cleanup")
    await followed_by_alice(client, worker, alice, "https://fedimob.test/campaigns/cleanup")
    mastodon.deliveries.clear()
    await cancel_campaign(campaign)
    await worker.run_once()
    [delete] = [d.activity for d in mastodon.deliveries]
    assert delete["type"] == "Delete"
    assert delete["object"]["id"] == "https://fedimob.test/campaigns/cleanup/event"


async def test_a_local_actor_follows_a_remote_one_until_accepted(
    client: httpx.AsyncClient,
    worker: Worker,
    federation: Federation,
    mastodon: FakePeer,
    alice: FakeActor,
) -> None:
    association = await make_association(username="rivers")
    actor = await Actor.get(id=association.actor_id)  # type: ignore[attr-defined]
    row = await follow_remote(federation, actor, "@alice@mastodon.example")
    assert row.state == FollowState.PENDING
    await worker.run_once()
    [follow] = [d.activity for d in mastodon.accepted]
    assert (follow["type"], follow["object"]) == ("Follow", alice.id)
    accept = {"id": new_id(alice), "type": "Accept", "actor": alice.id, "object": follow}
    assert (await post(client, "/associations/rivers/inbox", accept, alice)).status_code == 202
    await worker.run_once()
    [listed] = await followed_by(actor)
    assert listed.state == FollowState.ACCEPTED
    assert await unfollow_remote(federation, actor, alice.id)
    await worker.run_once()
    assert mastodon.accepted[-1].activity["type"] == "Undo"
    assert not await Follow.exists()


async def test_an_accept_from_someone_else_accepts_nothing(
    client: httpx.AsyncClient,
    worker: Worker,
    federation: Federation,
    mastodon: FakePeer,
    alice: FakeActor,
) -> None:
    mallory = mastodon.add_actor("mallory")
    association = await make_association(username="rivers")
    actor = await Actor.get(id=association.actor_id)  # type: ignore[attr-defined]
    await follow_remote(federation, actor, alice.id)
    await worker.run_once()
    follow = mastodon.accepted[0].activity
    forged = {"id": new_id(mallory), "type": "Accept", "actor": mallory.id, "object": follow}
    await post(client, "/inbox", forged, mallory)
    await worker.run_once()
    assert (await Follow.get()).state == FollowState.PENDING


async def test_failed_deliveries_retry_with_backoff_and_410_drops_the_inbox(
    client: httpx.AsyncClient,
    worker: Worker,
    fediverse: FakeFediverse,
    mastodon: FakePeer,
    alice: FakeActor,
) -> None:
    await make_campaign(slug="cleanup")
    await followed_by_alice(client, worker, alice, "https://fedimob.test/campaigns/cleanup")
    answers = iter([503, 503, 410])

    async def flaky(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), headers={"retry-after": "30"})

    fediverse.mount("mastodon.example", httpx.MockTransport(flaky))
    await make_association(username="second")  # no welcome poll: one delivery, the Accept
    await post(
        client, "/inbox", follow_of(alice, "https://fedimob.test/associations/second"), alice
    )
    await worker.run_once()  # alice is known: the follow is processed, its Accept queued
    now = utcnow()
    job = await Job.filter(kind="federation.deliver").order_by("-id").first()
    assert job is not None
    assert job.state == JobState.PENDING
    assert job.run_at >= now + timedelta(seconds=29)  # Retry-After honoured
    assert (await health_of("mastodon.example")).failures == 1
    await worker.run_once(now=now + timedelta(days=1))
    await worker.run_once(now=now + timedelta(days=2))
    job = await Job.get(id=job.id)
    assert job.state == JobState.FAILED
    assert "gone" in (job.last_error or "")
    remote = await Actor.get(ap_id=alice.id)
    assert remote.shared_inbox_url == ""


async def test_deliveries_to_a_blocked_domain_are_dropped(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    association = await make_association(username="rivers")
    campaign = await make_campaign(association, slug="cleanup", publish=False)
    await followed_by_alice(client, worker, alice, "https://fedimob.test/associations/rivers")
    mastodon.deliveries.clear()
    await block("mastodon.example")
    await publish_campaign(campaign)
    await worker.run_once()
    assert mastodon.deliveries == []
    assert await Job.filter(kind="federation.deliver", state=JobState.DONE).exists()


@pytest.mark.parametrize(
    "target", ["@nobody@mastodon.example", "https://nowhere.example/u/x", "@x@fedimob.test"]
)
async def test_following_what_cannot_be_found_is_a_clear_error(
    db: Database, federation: Federation, mastodon: FakePeer, target: str
) -> None:
    association = await make_association(username="rivers")
    actor = await Actor.get(id=association.actor_id)  # type: ignore[attr-defined]
    with pytest.raises(ActivityPubError):
        await follow_remote(federation, actor, target)
    assert not await Follow.exists()


async def test_a_host_failing_on_7_days_is_unavailable_until_it_speaks_again(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    association = await make_association(username="rivers")
    await followed_by_alice(client, worker, alice, "https://fedimob.test/associations/rivers")
    days = frozenset(date(2026, 1, d) for d in range(1, 8))
    await RemoteHost.update_or_create(
        domain="mastodon.example",
        defaults={"health": HostHealth(failures=40, failure_days=days).to_dict()},
    )
    mastodon.deliveries.clear()
    await make_campaign(association, slug="one")
    await worker.run_once()
    assert mastodon.deliveries == []
    job = await Job.filter(kind="federation.deliver").order_by("-id").first()
    assert job is not None
    assert "unavailable" in (job.last_error or "")
    # Any request from the host shows it is back.
    await post(
        client, "/inbox", follow_of(alice, "https://fedimob.test/associations/rivers"), alice
    )
    await worker.run_once()
    assert (await health_of("mastodon.example")).failure_days == frozenset()
    await make_campaign(association, slug="two")
    await worker.run_once()
    assert [d.activity["type"] for d in mastodon.accepted] == ["Accept", "Announce"]


async def test_rotated_keys_reach_followers_in_an_update_signed_with_the_new_key(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    association = await make_association(username="rivers")
    await followed_by_alice(client, worker, alice, "https://fedimob.test/associations/rivers")
    mastodon.deliveries.clear()
    rotated = await rotate_keys(await Actor.get(id=association.actor_id))  # type: ignore[attr-defined]
    await worker.run_once()
    [update] = mastodon.deliveries
    assert update.status == 202, update.reason
    document = update.activity["object"]
    assert update.activity["type"] == "Update"
    assert document["id"] == "https://fedimob.test/associations/rivers"
    assert document["publicKey"]["publicKeyPem"] == rotated.public_key_pem


async def test_an_edit_reaches_followers_as_an_update_and_a_later_deadline_holds(
    client: httpx.AsyncClient, worker: Worker, mastodon: FakePeer, alice: FakeActor
) -> None:
    now = utcnow()
    campaign = await make_campaign(slug="cleanup", now=now, deadline=now + timedelta(hours=1))
    await followed_by_alice(client, worker, alice, "https://fedimob.test/campaigns/cleanup")
    mastodon.deliveries.clear()
    later = now + timedelta(days=3)
    await edit_campaign(campaign, title="Bigger clean-up", deadline=later, now=now)
    await worker.run_once()
    [update] = [d.activity for d in mastodon.deliveries if d.activity["type"] == "Update"]
    assert update["object"]["name"] == "Bigger clean-up"
    assert update["object"]["updated"]  # a real edit carries `updated`
    await worker.run_once(now=now + timedelta(hours=2))  # the old deadline: nothing ends
    assert (await Campaign.get(id=campaign.id)).state == "published"
    await worker.run_once(now=later + timedelta(seconds=1))
    assert (await Campaign.get(id=campaign.id)).state == "ended"


async def test_edits_are_validated_and_final_campaigns_cannot_be_edited(db: Database) -> None:
    campaign = await make_campaign(slug="cleanup")
    with pytest.raises(ValidationError):
        await edit_campaign(campaign, title="")
    with pytest.raises(ValidationError):
        await edit_campaign(campaign, deadline=utcnow() - timedelta(days=1))
    assert (await Campaign.get(id=campaign.id)).title == "Test campaign"
    await cancel_campaign(campaign)
    with pytest.raises(InvalidTransition):
        await edit_campaign(campaign, title="Too late")
