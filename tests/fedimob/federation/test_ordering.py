"""Deliveries arrive out of order: one actor's latest request wins, and a copy of a remote
campaign keeps the latest counts it was sent."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.context import Federation
from fedimob.federation.mirrors import store_remote_event
from fedimob.jobs.worker import Worker
from fedimob.models import Campaign, Participation, ParticipationState
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import new_id, post

EVENT = "https://fedimob.test/campaigns/river/event"


@pytest.fixture
def mobilizon(fediverse: FakeFediverse) -> FakePeer:
    return fediverse.add_peer("mobilizon.example", software="mobilizon")


def stamped(actor: FakeActor, kind: str, minutes_ago: int, **extra: Any) -> dict[str, Any]:
    when = utcnow() - timedelta(minutes=minutes_ago)
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": new_id(actor), "type": kind, "actor": actor.id, "object": EVENT,
        "published": when.isoformat().replace("+00:00", "Z"), **extra,
    }  # fmt: skip


async def deliver(client: httpx.AsyncClient, worker: Worker, actor: FakeActor,
                  *activities: dict[str, Any]) -> None:  # fmt: skip
    """Each activity processed on its own, in the order given (the network's order)."""
    for activity in activities:
        assert (await post(client, "/inbox", activity, actor)).status_code == 202
        await worker.run_once()


async def count(campaign: Campaign) -> int:
    return (await Campaign.get(id=campaign.id)).participants_count


async def test_a_leave_that_overtook_its_join_keeps_the_person_out(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river")
    camille = mobilizon.add_actor("camille")
    joined, left = stamped(camille, "Join", 5), stamped(camille, "Leave", 1)
    await deliver(client, worker, camille, left, joined)
    assert await count(campaign) == 0
    row = await Participation.get()
    assert row.state == ParticipationState.WITHDRAWN
    assert not [d for d in mobilizon.deliveries if d.activity["type"] == "Accept"]

    # A newer Join counts again.
    await deliver(client, worker, camille, stamped(camille, "Join", 0))
    assert await count(campaign) == 1


async def test_an_older_pledge_arriving_late_does_not_replace_the_newer(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    await make_campaign(slug="river")
    camille = mobilizon.add_actor("camille")
    await deliver(
        client, worker, camille,
        stamped(camille, "Join", 3, pledgedMinutes=60),
        stamped(camille, "Join", 1, pledgedMinutes=240),
        stamped(camille, "Join", 2, pledgedMinutes=120),  # delayed in transit
    )  # fmt: skip
    row = await Participation.get()
    assert (row.state, row.pledge_minutes) == (ParticipationState.ACCEPTED, 240)


async def test_a_leave_older_than_the_join_it_follows_in_arrival_changes_nothing(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river")
    camille = mobilizon.add_actor("camille")
    await deliver(
        client, worker, camille,
        stamped(camille, "Leave", 10), stamped(camille, "Join", 5), stamped(camille, "Leave", 7),
    )  # fmt: skip
    assert await count(campaign) == 1


async def test_published_in_the_future_or_unreadable_orders_as_arrival(
    client: httpx.AsyncClient, worker: Worker, db: Database, mobilizon: FakePeer
) -> None:
    campaign = await make_campaign(slug="river")
    camille = mobilizon.add_actor("camille")
    future = stamped(camille, "Join", -600)  # ten hours ahead: taken as "now"
    garbled = {**stamped(camille, "Leave", 0), "published": "yesterday-ish"}
    await deliver(client, worker, camille, future)
    assert await count(campaign) == 1
    await deliver(client, worker, camille, garbled)
    assert await count(campaign) == 0


def event(counted_at: str | None, participants: int) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": "https://south.example/campaigns/c/event", "type": "Event",
        "attributedTo": "https://south.example/campaigns/c", "name": "C",
        "participantCount": participants,
    }  # fmt: skip
    if counted_at is not None:
        document["countedAt"] = counted_at
    return document


async def test_a_copy_keeps_the_latest_counts_whatever_the_arrival_order(
    db: Database, federation: Federation
) -> None:
    now = utcnow()
    await store_remote_event(event("2026-01-01T10:00:05Z", 7), federation, now)
    row = await store_remote_event(event("2026-01-01T10:00:01Z", 3), federation, now)
    assert row.participants_count == 7
    row = await store_remote_event(event(None, 1), federation, now)  # no stamp: not newer
    assert row.participants_count == 7
    row = await store_remote_event(event("2026-01-01T10:00:09Z", 8), federation, now)
    assert row.participants_count == 8


@pytest.mark.parametrize("origin", ["https://fedimob.test", "http://fedimob.test"])
async def test_a_copy_finds_itself_in_the_breakdown_whatever_the_scheme(
    db: Database, federation: Federation, origin: str
) -> None:
    document = event("2026-01-01T10:00:05Z", 7)
    document["instanceBreakdown"] = [
        {"type": "InstanceCount", "instance": "https://south.example", "participantCount": 4},
        {"type": "InstanceCount", "instance": origin, "participantCount": 3},
        {"type": "InstanceCount", "instance": ["not", "a", "string"], "participantCount": 9},
    ]
    row = await store_remote_event(document, federation, utcnow())
    assert row.local_participants == 3
