"""The inbox's group writer: many activities, few commits, nothing lost or doubled."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from activitypub.testing import FakeActor
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.inbox_writer import InboxWriter, Overloaded, Received
from fedimob.models import Campaign, InboxItem, Job
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import follow_of, post


def received(n: int) -> Received:
    actor = "https://mastodon.example/users/alice"
    return Received(
        f"{actor}/follows/{n}", "Follow", actor, actor + "#main-key", {"n": n}, utcnow()
    )


async def test_concurrent_activities_are_stored_in_groups(db: Database) -> None:
    writer = InboxWriter(max_batch=50)
    await asyncio.gather(*(writer.store(received(n)) for n in range(120)))
    assert await InboxItem.all().count() == 120
    jobs = await Job.filter(kind="federation.inbox")
    assert 3 <= len(jobs) < 120  # one job per group, not per activity
    assert sorted(i for job in jobs for i in job.payload["activity_ids"]) == sorted(
        received(n).activity_id for n in range(120)
    )


async def test_duplicates_in_and_across_groups_are_stored_once(db: Database) -> None:
    writer = InboxWriter(max_batch=10)
    await asyncio.gather(*(writer.store(received(n % 7)) for n in range(40)))
    await writer.store(received(3))
    assert await InboxItem.all().count() == 7


async def test_a_full_writer_refuses_instead_of_queueing_forever(db: Database) -> None:
    writer = InboxWriter(max_waiting=5)
    stores = [asyncio.ensure_future(writer.store(received(n))) for n in range(5)]
    await asyncio.sleep(0)  # one turn of the loop: the five are queued, none stored yet
    with pytest.raises(Overloaded):
        await writer.store(received(99))
    await asyncio.gather(*stores)
    assert await InboxItem.all().count() == 5


async def test_a_failed_group_fails_its_requests_and_the_writer_goes_on(db: Database) -> None:
    writer = InboxWriter()
    bad = Received(
        "https://m.example/x", "Follow", "https://m.example/a", "k", {"bad": {1, 2}}, utcnow()
    )
    with pytest.raises(TypeError):
        await writer.store(bad)  # a set is not JSON: that commit fails
    await writer.store(received(1))
    assert [i.activity_id for i in await InboxItem.all()] == [received(1).activity_id]


async def test_the_inbox_answers_503_with_retry_after_when_the_writer_is_full(
    app: Starlette, client: httpx.AsyncClient, alice: FakeActor, db: Database
) -> None:
    campaign: Campaign = await make_campaign(slug="river")
    app.state.inbox_writer = InboxWriter(max_waiting=0)
    answer = await post(
        client, "/inbox", follow_of(alice, f"https://fedimob.test/campaigns/{campaign.slug}"), alice
    )
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert not await InboxItem.exists()
