"""Joining from other servers: Join/Leave (Mobilizon, fedimob), Accept/TentativeAccept (Friendica),
the answers they get, and counts sent in one coalesced Update per interval."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.participation import decide
from fedimob.domain.participation import join as join_locally
from fedimob.jobs.worker import Worker
from fedimob.models import (
    Account,
    Campaign,
    InboxItem,
    InboxState,
    JoinMode,
    JoinVia,
    Participation,
)
from tests.fedimob.factories import make_account, make_actor, make_association, make_campaign
from tests.fedimob.federation.conftest import follow_of, new_id, post

EVENT = "https://fedimob.test/campaigns/river/event"
AS2 = {"accept": "application/activity+json"}


@pytest.fixture
def mobilizon(fediverse: FakeFediverse) -> FakePeer:
    return fediverse.add_peer("mobilizon.example", software="mobilizon", verify_signatures=True)


def join_of(actor: FakeActor, target: str = EVENT, message: str = "") -> dict[str, object]:
    document: dict[str, object] = {
        "@context": ["https://www.w3.org/ns/activitystreams", {"mz": "https://joinmobilizon.org/ns#"}],
        "id": new_id(actor, "join"), "type": "Join", "actor": actor.id, "object": target,
        "to": [target], "cc": ["https://www.w3.org/ns/activitystreams#Public"],
    }  # fmt: skip
    if message:
        document["participationMessage"] = message
    return document


def event_updates(peer: FakePeer) -> list[Any]:
    """The Update{Event}s a server received (each comes with an Update{Question})."""
    return [
        d.activity for d in peer.deliveries
        if d.activity["type"] == "Update" and d.activity["object"]["type"] == "Event"
    ]  # fmt: skip


async def counts(campaign: Campaign) -> tuple[int, int]:
    stored = await Campaign.get(id=campaign.id)
    return stored.participants_count, stored.requested_count


async def test_a_mobilizon_join_is_counted_and_accepted(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river")
    person = mobilizon.add_actor("camille")
    join = join_of(person, message="I'll bring gloves")
    for _ in range(2):  # a replay changes nothing
        assert (await post(client, "/campaigns/river/inbox", join, person)).status_code == 202
    await worker.run_once()
    assert await counts(campaign) == (1, 0)
    row = await Participation.get()
    assert (row.message, row.ap_id, row.via) == ("I'll bring gloves", join["id"], "join")
    [accept] = [d for d in mobilizon.deliveries if d.activity["type"] == "Accept"]
    assert accept.status == 202, accept.reason
    assert accept.activity["object"]["id"] == join["id"]
    assert accept.activity["actor"] == "https://fedimob.test/campaigns/river"


async def test_leave_and_undo_join_withdraw_once(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river")
    first, second = mobilizon.add_actor("a"), mobilizon.add_actor("b")
    joins = {p.username: join_of(p) for p in (first, second)}
    for person in (first, second):
        await post(client, "/inbox", joins[person.username], person)
    await worker.run_once()
    assert await counts(campaign) == (2, 0)
    leave = {"id": new_id(first), "type": "Leave", "actor": first.id, "object": EVENT}
    undo = {"id": new_id(second), "type": "Undo", "actor": second.id, "object": joins["b"]}
    for activity, person in (
        (leave, first),
        (undo, second),
        ({**leave, "id": new_id(first)}, first),
    ):
        await post(client, "/inbox", activity, person)
    await worker.run_once()
    assert await counts(campaign) == (0, 0)
    states = {item.activity_type: item.state for item in await InboxItem.all()}
    assert states == {
        "Join": InboxState.PROCESSED,
        "Leave": InboxState.PROCESSED,
        "Undo": InboxState.PROCESSED,
    }


async def test_approval_mode_answers_when_the_organisers_decide(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    owner = await make_account()
    campaign = await make_campaign(
        await make_association(owner), slug="river", join_mode=JoinMode.APPROVAL
    )
    yes, no = mobilizon.add_actor("yes"), mobilizon.add_actor("no")
    for person in (yes, no):
        await post(client, "/inbox", join_of(person), person)
    await worker.run_once()
    assert await counts(campaign) == (0, 2)
    assert not [d for d in mobilizon.deliveries if d.activity["type"] in {"Accept", "Reject"}]
    rows = {
        r.participant.username: r for r in await Participation.all().select_related("participant")
    }
    await decide(rows["yes"], accept=True, by=owner)
    await decide(rows["no"], accept=False, by=await Account.get(id=owner.id))
    await worker.run_once()
    answers = {d.activity["object"]["actor"]: d.activity["type"] for d in mobilizon.deliveries
               if d.activity["type"] in {"Accept", "Reject"}}  # fmt: skip
    assert answers == {yes.id: "Accept", no.id: "Reject"}
    assert await counts(campaign) == (1, 0)


async def test_a_full_or_ended_campaign_rejects_with_a_reason(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river", goal_target=1, capacity=1)
    first, late = mobilizon.add_actor("first"), mobilizon.add_actor("late")
    for person in (first, late):
        await post(client, "/inbox", join_of(person), person)
    await worker.run_once()
    reject = next(d.activity for d in mobilizon.deliveries if d.activity["type"] == "Reject")
    assert reject["object"]["actor"] == late.id
    assert "full" in reject["summary"]
    assert await counts(campaign) == (1, 0)


async def test_friendica_accept_and_tentative_accept_of_the_event(
    client: httpx.AsyncClient, worker: Worker, db: Database, fediverse: FakeFediverse
) -> None:
    friendica = fediverse.add_peer(
        "friendica.example", software="friendica", verify_signatures=True
    )
    campaign = await make_campaign(slug="river")
    sure, maybe = friendica.add_actor("sure"), friendica.add_actor("maybe")
    await post(
        client,
        "/inbox",
        {"id": new_id(sure), "type": "Accept", "actor": sure.id, "object": EVENT},
        sure,
    )
    tentative = {"id": new_id(maybe), "type": "TentativeAccept", "actor": maybe.id, "object": EVENT}
    await post(client, "/inbox", tentative, maybe)
    await worker.run_once()
    assert await counts(campaign) == (1, 1)
    undo = {"id": new_id(maybe), "type": "Undo", "actor": maybe.id, "object": tentative}
    await post(client, "/inbox", undo, maybe)
    await worker.run_once()
    assert await counts(campaign) == (1, 0)


async def test_joins_of_drafts_or_unknown_campaigns_are_refused(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    await make_campaign(slug="draft", publish=False)
    person = mobilizon.add_actor("x")
    for target in (
        "https://fedimob.test/campaigns/draft/event",
        "https://fedimob.test/campaigns/none/event",
    ):
        await post(client, "/inbox", join_of(person, target), person)
    await worker.run_once()
    assert {i.state for i in await InboxItem.all()} == {InboxState.FAILED}
    assert not await Participation.exists()


async def test_many_joins_cost_each_follower_server_one_update_per_interval(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor,
    mobilizon: FakePeer,
) -> None:  # fmt: skip
    campaign = await make_campaign(slug="river")
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/river"), alice)
    people = [mobilizon.add_actor(f"p{n}") for n in range(6)]
    for person in people[:5]:
        await post(client, "/inbox", join_of(person), person)
    await worker.run_once()
    updates = event_updates(mastodon)
    assert len(updates) == 1
    assert updates[0]["object"]["participantCount"] == 5
    # Mobilizon hosts the participants: its server hears once too, not once per person.
    assert len(event_updates(mobilizon)) == 1

    await post(client, "/inbox", join_of(people[5]), people[5])
    await worker.run_once()  # within the interval: the update waits
    assert len(event_updates(mastodon)) == 1

    await worker.run_once(now=utcnow() + timedelta(seconds=61))
    updates = event_updates(mastodon)
    assert [u["object"]["participantCount"] for u in updates] == [5, 6]
    assert await counts(campaign) == (6, 0)
    assert all(d.status == 202 for d in mastodon.deliveries), [
        d.reason for d in mastodon.deliveries
    ]


async def test_the_event_tells_how_many_come_from_each_instance(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river", pledge_options=[60])
    for n in range(3):
        person = mobilizon.add_actor(f"m{n}")
        await post(client, "/inbox", join_of(person), person)
    await worker.run_once()
    await join_locally(campaign, await make_actor(), via=JoinVia.WEB, pledge_minutes=120)
    answer = await client.get(
        "/campaigns/river/event", headers={"accept": "application/activity+json"}
    )
    rows = [
        (row["instance"], row["participantCount"], row["pledgedMinutes"])
        for row in answer.json()["instanceBreakdown"]
    ]
    assert rows == [("https://mobilizon.example", 3, 180), ("https://fedimob.test", 1, 120)]
