"""A person of one instance joins a campaign of another: Join out, Accept back, counts converge."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from activitypub.testing import FakeFediverse
from fedimob.clock import utcnow
from fedimob.domain.actors import instance_actor
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import decide, join
from fedimob.errors import JoinRefused, NotFound, ValidationError
from fedimob.federation.follows import follow_remote
from fedimob.federation.remote_joins import join_remote, leave_remote, remote_campaign
from fedimob.models import (
    Account,
    Actor,
    Campaign,
    GoalKind,
    JoinMode,
    JoinVia,
    Notice,
    Participation,
    ParticipationState,
    RemoteCampaign,
    RemoteJoin,
)
from tests.conftest import TEST_SECRET, DatabaseFactory
from tests.federation.harness import Instance, Network, instance_in
from tests.fedimob.factories import make_account, make_actor, make_campaign

EVENT = "https://south.test/campaigns/cleanup/event"
ANA = "https://north.test/users/ana"


@pytest.fixture
async def network(
    test_databases: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[tuple[Network, Instance, Instance]]:
    """north follows south's instance actor, so it shows south's campaigns."""
    net = Network(FakeFediverse())
    north_db = await test_databases.another("north", tmp_path)
    south_db = await test_databases.another("south", tmp_path)
    async with (
        instance_in(net, "north.test", north_db, TEST_SECRET) as north,
        instance_in(net, "south.test", south_db, TEST_SECRET) as south,
    ):

        async def follow_south() -> None:
            await follow_remote(
                north.federation, await instance_actor(), "https://south.test/actor"
            )

        await north.run(follow_south)
        await north.run(lambda: make_account("ana", language="fr"))
        await net.settle()
        yield net, north, south


async def _publish(net: Network, south: Instance, **fields: Any) -> Campaign:
    campaign = await south.run(lambda: make_campaign(slug="cleanup", goal_target=10, **fields))
    await net.settle()
    return campaign


async def _ana_joins(north: Instance, pledge: int | None = 120) -> RemoteJoin:
    async def work() -> RemoteJoin:
        ana = await (await Account.get(username="ana")).actor
        return await join_remote(
            north.federation.urls, ana, await remote_campaign(EVENT), pledge_minutes=pledge
        )

    return await north.run(work)


async def _ana_leaves(north: Instance) -> RemoteJoin:
    async def work() -> RemoteJoin:
        ana = await (await Account.get(username="ana")).actor
        return await leave_remote(ana, await remote_campaign(EVENT))

    return await north.run(work)


async def _mirror(north: Instance) -> RemoteCampaign:
    return await north.run(lambda: RemoteCampaign.get(ap_id=EVENT))


async def _participation(south: Instance) -> Participation:
    return await south.run(
        lambda: Participation.get(participant__ap_id=ANA).select_related("participant")
    )


async def _notices(north: Instance) -> list[Notice]:
    return await north.run(lambda: Notice.filter(account__username="ana").order_by("id").all())


async def test_a_local_person_joins_a_remote_campaign_and_both_sides_agree(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    await _publish(net, south)
    row = await _ana_joins(north)
    assert row.state == ParticipationState.REQUESTED
    await net.settle()

    there = await _participation(south)
    assert (there.state, there.pledge_minutes, there.via) == (
        ParticipationState.ACCEPTED, 120, JoinVia.JOIN_ACTIVITY,
    )  # fmt: skip
    assert there.participant.domain == "north.test"
    here = await north.run(lambda: RemoteJoin.get(id=row.id))
    assert here.state == ParticipationState.ACCEPTED
    mirror = await _mirror(north)
    assert (mirror.participants_count, mirror.pledged_minutes, mirror.local_participants) == (
        1, 120, 1,
    )  # fmt: skip
    assert mirror.pledge_options == [60, 240]  # south's, offered to north's people
    [notice] = await _notices(north)
    assert notice.kind == "accepted"
    assert "Vous participez" in notice.text  # in Ana's language

    # Joining again with the same pledge sends nothing new.
    again = await _ana_joins(north)
    assert again.ap_id == row.ap_id

    await _ana_leaves(north)
    await net.settle()
    assert (await _participation(south)).state == ParticipationState.WITHDRAWN
    mirror = await _mirror(north)
    assert (mirror.participants_count, mirror.local_participants) == (0, 0)

    # Leaving twice changes nothing and sends nothing.
    assert (await _ana_leaves(north)).state == ParticipationState.WITHDRAWN
    await net.settle()
    assert (await _mirror(north)).participants_count == 0


async def test_changing_ones_pledge_updates_the_one_participation(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    await _publish(net, south)
    await _ana_joins(north, 60)
    await net.settle()
    await _ana_joins(north, 240)
    await net.settle()
    there = await _participation(south)
    assert (there.state, there.pledge_minutes) == (ParticipationState.ACCEPTED, 240)
    assert (await _mirror(north)).pledged_minutes == 240
    assert await south.run(lambda: Participation.all().count()) == 1


async def test_approval_mode_waits_for_the_organisers_then_accepts(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    await _publish(net, south, join_mode=JoinMode.APPROVAL)
    row = await _ana_joins(north)
    await net.settle()
    assert (await north.run(lambda: RemoteJoin.get(id=row.id))).state == (
        ParticipationState.REQUESTED
    )
    assert await _notices(north) == []

    there = await _participation(south)
    await south.run(lambda: decide(there, accept=True, by=None))
    await net.settle()
    assert (await north.run(lambda: RemoteJoin.get(id=row.id))).state == (
        ParticipationState.ACCEPTED
    )
    assert [n.kind for n in await _notices(north)] == ["accepted"]
    assert (await _mirror(north)).participants_count == 1


async def test_a_full_campaign_rejects_and_the_person_is_told_why(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    campaign = await _publish(net, south, capacity=1, goal_kind=GoalKind.HOURS)
    await south.run(lambda: _fill(campaign))
    row = await _ana_joins(north)
    await net.settle()
    assert (await north.run(lambda: RemoteJoin.get(id=row.id))).state == (
        ParticipationState.REJECTED
    )
    [notice] = await _notices(north)
    assert notice.kind == "rejected"
    assert "full" in notice.text
    assert await south.run(lambda: Participation.filter(participant__ap_id=ANA).count()) == 0


async def _fill(campaign: Campaign) -> None:
    await join(campaign, await make_actor(), via=JoinVia.WEB)


async def test_the_outcome_message_from_the_home_instance_becomes_a_notice(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    campaign = await _publish(net, south)
    await _ana_joins(north)
    await net.settle()
    later = utcnow() + timedelta(days=400)
    await south.run(lambda: end_if_due(campaign.id, now=later))
    await net.settle()
    kinds = [n.kind for n in await _notices(north)]
    assert kinds == ["accepted", "message"]
    message = (await _notices(north))[-1]
    assert "has ended" in message.text  # the campaign's language: English
    assert "<" not in message.text  # remote HTML is shown as text


async def test_answers_from_anyone_but_the_owner_change_nothing(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    await _publish(net, south, join_mode=JoinMode.APPROVAL)
    row = await _ana_joins(north)
    await net.settle()
    mallory = net.fediverse.add_peer("evil.test").add_actor("mallory")
    accept = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://evil.test/accepts/1",
        "type": "Accept",
        "actor": mallory.id,
        "object": {"id": row.ap_id, "type": "Join", "actor": ANA, "object": EVENT},
    }
    async with north.client() as http:
        response = await http.post("/inbox", json=accept, auth=mallory.auth())
    assert response.status_code == 202
    await net.settle()
    assert (await north.run(lambda: RemoteJoin.get(id=row.id))).state == (
        ParticipationState.REQUESTED
    )


async def test_joining_what_cannot_be_joined_is_refused_before_anything_is_sent(
    network: tuple[Network, Instance, Instance],
) -> None:
    net, north, south = network
    campaign = await _publish(net, south)
    with pytest.raises(ValidationError):
        await _ana_joins(north, 10**9)
    with pytest.raises(NotFound):
        await north.run(lambda: remote_campaign("https://south.test/campaigns/nothing/event"))
    await south.run(lambda: cancel_campaign(campaign))
    await net.settle()
    with pytest.raises(NotFound):
        await _ana_joins(north)

    async def join_after_the_deadline() -> None:
        ana = await Actor.get(username="ana", domain__isnull=True)
        row = await RemoteCampaign.get(ap_id=EVENT)
        row.deleted_at = None
        await join_remote(north.federation.urls, ana, row, now=utcnow() + timedelta(days=400))

    with pytest.raises(JoinRefused):
        await north.run(join_after_the_deadline)
    assert await north.run(lambda: RemoteJoin.all().count()) == 0
