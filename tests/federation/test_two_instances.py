"""Two fedimob instances in one process: a region follows another and hears its news."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from activitypub.testing import FakeFediverse
from fedimob.domain.actors import instance_actor
from fedimob.domain.campaigns import cancel_campaign, publish_campaign
from fedimob.domain.participation import join
from fedimob.federation.follows import follow_remote, followed_by
from fedimob.models import Actor, Follow, FollowState, InboxItem, JoinVia, RemoteCampaign
from tests.conftest import TEST_SECRET, DatabaseFactory
from tests.federation.harness import Instance, Network, instance_in
from tests.fedimob.factories import make_actor, make_association, make_campaign


@pytest.fixture
async def network(
    test_databases: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[tuple[Network, Instance, Instance]]:
    net = Network(FakeFediverse())
    north_db = await test_databases.another("north", tmp_path)
    south_db = await test_databases.another("south", tmp_path)
    async with (
        instance_in(net, "north.test", north_db, TEST_SECRET) as north,
        instance_in(net, "south.test", south_db, TEST_SECRET) as south,
    ):
        yield net, north, south


async def test_an_instance_follows_another_and_receives_its_announcements(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    association = await south.run(lambda: make_association(username="rivers"))
    campaign = await south.run(lambda: make_campaign(association, slug="cleanup", publish=False))

    async def north_follows() -> Follow:
        me = await instance_actor()
        return await follow_remote(north.federation, me, "@rivers@south.test")

    row = await north.run(north_follows)
    assert row.state == FollowState.PENDING
    await net.drain()

    [accepted] = await north.run(_following)
    assert accepted.state == FollowState.ACCEPTED
    assert await south.run(lambda: Follow.filter(state=FollowState.ACCEPTED).count()) == 1

    await south.run(lambda: publish_campaign(campaign))
    await net.drain()
    received = await north.run(lambda: InboxItem.filter(activity_type="Announce").all())
    assert [item.payload["object"] for item in received] == [
        "https://south.test/campaigns/cleanup/event"
    ]
    assert received[0].actor_id == "https://south.test/associations/rivers"
    # Each side knows the other's actor, keys included, from a verified fetch.
    remote = await north.run(lambda: Actor.get(ap_id="https://south.test/associations/rivers"))
    assert remote.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


async def test_regions_hear_of_every_new_campaign_through_instance_follows(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network

    async def north_follows_south() -> Follow:
        return await follow_remote(
            north.federation, await instance_actor(), "https://south.test/actor"
        )

    await north.run(north_follows_south)
    await net.drain()
    await south.run(lambda: make_campaign(slug="cleanup"))
    await net.drain()
    relayed = await north.run(
        lambda: InboxItem.filter(
            activity_type="Announce", actor_id="https://south.test/actor"
        ).all()
    )
    assert [item.payload["object"] for item in relayed] == [
        "https://south.test/campaigns/cleanup/event"
    ]


async def _following() -> list[Follow]:
    return await followed_by(await instance_actor())


async def test_a_region_shows_the_other_instances_campaign_with_live_counts(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network

    async def north_follows_south() -> Follow:
        return await follow_remote(
            north.federation, await instance_actor(), "https://south.test/actor"
        )

    await north.run(north_follows_south)
    await net.drain()
    campaign = await south.run(
        lambda: make_campaign(slug="cleanup", title="South clean-up", goal_target=10)
    )
    await net.drain()
    [mirror] = await north.run(lambda: RemoteCampaign.all())
    assert (mirror.title, mirror.participants_count, mirror.domain) == (
        "South clean-up",
        0,
        "south.test",
    )
    # Its Event's `published` is the copy's publication date, whenever we fetched it.
    assert campaign.published_at is not None
    assert mirror.published_at == campaign.published_at

    async def two_join() -> None:
        for _ in range(2):
            await join(campaign, await make_actor(), via=JoinVia.WEB)

    await south.run(two_join)
    await net.drain()
    mirror = await north.run(
        lambda: RemoteCampaign.get(ap_id="https://south.test/campaigns/cleanup/event")
    )
    assert mirror.participants_count == 2
    assert mirror.published_at == campaign.published_at  # not moved
    async with north.client() as http:
        page = (await http.get("/")).text
        found = (await http.get("/?q=SOUTH+CLEAN")).text  # folded like ours
    assert "On south.test" in page  # shown as another instance's campaign
    assert "South clean-up" in page
    assert "<strong>2</strong> of 10 people" in page
    assert "South clean-up" in found

    await south.run(lambda: cancel_campaign(campaign))
    await net.drain()
    mirror = await north.run(
        lambda: RemoteCampaign.get(ap_id="https://south.test/campaigns/cleanup/event")
    )
    assert mirror.deleted_at is not None
    async with north.client() as http:
        assert "South clean-up" not in (await http.get("/")).text


async def test_announces_from_actors_we_do_not_follow_fetch_nothing(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    await south.run(lambda: make_campaign(slug="cleanup"))
    await net.drain()  # south announces to its followers: north is not one
    assert await north.run(lambda: RemoteCampaign.all().count()) == 0
