"""Three instances, one campaign, and a network that loses, repeats, delays and reorders.

`home` runs the campaign; `north` and `south` show it (they follow home's
instance actor). People join and leave through every path, in random order:
home's own users on the site, north's and south's users with a `Join` sent
to home, Mastodon users by poll vote and by mention, Mobilizon users with
Join/Leave. Meanwhile a quarter of the deliveries are held back and arrive
later in another order, some are lost (and retried by their sender), some
arrive twice, and north goes down for a while and restarts with nothing in
memory. Once the retries settle, all three instances show the same count,
and it is the true number of people who are in (the last thing each asked).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse
from fedimob.clock import utcnow
from fedimob.domain.actors import instance_actor
from fedimob.domain.participation import join, leave
from fedimob.domain.tally import recount
from fedimob.federation.follows import follow_remote
from fedimob.federation.remote_joins import join_remote, leave_remote, remote_campaign
from fedimob.models import (
    Account,
    Campaign,
    JoinVia,
    Participation,
    ParticipationState,
    RemoteCampaign,
    RemoteJoin,
)
from tests.conftest import TEST_SECRET, DatabaseFactory
from tests.federation.faults import FaultyNetwork
from tests.federation.harness import Instance, Network, instance_in
from tests.fedimob.factories import make_account, make_campaign

HOME = "https://home.test"
EVENT = f"{HOME}/campaigns/cleanup/event"
SEEDS = [11, 29, 47]


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
async def world(
    request: pytest.FixtureRequest, test_databases: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[tuple[Network, dict[str, Instance]]]:
    fediverse = FakeFediverse()
    faults = FaultyNetwork(fediverse.transport().handle_async_request, seed=request.param)
    net = Network(fediverse, faults)
    async with (
        instance_in(net, "home.test", await test_databases.another("home", tmp_path),
                    TEST_SECRET) as home,
        instance_in(net, "north.test", await test_databases.another("north", tmp_path),
                    TEST_SECRET) as north,
        instance_in(net, "south.test", await test_databases.another("south", tmp_path),
                    TEST_SECRET) as south,
    ):  # fmt: skip
        yield net, {"home": home, "north": north, "south": south}


@dataclass
class Person:
    """Someone who joins and leaves, and what they asked last (the truth)."""

    name: str
    path: str  # "web", "remote_join", "vote", "mention", "mobilizon"
    instance: str = "home"
    actor: FakeActor | None = None
    voted: bool = False
    is_in: bool = False


@dataclass
class Peers:
    """Mastodon and Mobilizon servers: they retry what the network lost, like real ones."""

    network: Network
    outbox: list[tuple[FakeActor, dict[str, Any]]] = field(default_factory=list)

    async def send(self, actor: FakeActor, activity: dict[str, Any]) -> None:
        self.outbox.append((actor, activity))
        await self.flush()

    async def flush(self) -> None:
        pending, self.outbox = self.outbox, []
        async with httpx.AsyncClient(transport=self.network.transport()) as http:
            for actor, activity in pending:
                try:
                    answer = await http.post(f"{HOME}/inbox", json=activity, auth=actor.auth())
                except httpx.ConnectError:
                    self.outbox.append((actor, activity))
                    continue
                assert answer.status_code == 202, answer.text


def _stamp(actor: FakeActor, kind: str, obj: Any, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.id}/activities/{uuid.uuid4()}", "type": kind, "actor": actor.id,
        "object": obj, "published": utcnow().isoformat().replace("+00:00", "Z"), **extra,
    }  # fmt: skip


def _note(actor: FakeActor, **fields: Any) -> dict[str, Any]:
    return {"id": f"{actor.id}/statuses/{uuid.uuid4()}", "type": "Note",
            "attributedTo": actor.id, "to": [f"{HOME}/campaigns/cleanup"], **fields}  # fmt: skip


async def act(person: Person, joining: bool, net: Network, sites: dict[str, Instance],
              peers: Peers) -> None:  # fmt: skip
    """One person asks to join or to leave, by their path."""
    site = sites[person.instance]
    if site not in net.up():
        return  # nobody can use an instance that is down
    if not joining and not person.is_in and person.path in {"web", "remote_join"}:
        return  # the site offers no "withdraw" to someone who is not in
    if person.path == "web":

        async def on_the_site() -> None:
            account = await Account.get(username=person.name)
            campaign = await Campaign.get(slug="cleanup")
            if joining:
                await join(campaign, await account.actor, via=JoinVia.WEB)
            else:
                await leave(campaign, await account.actor)

        await site.run(on_the_site)
    elif person.path == "remote_join":

        async def from_their_instance() -> None:
            actor = await (await Account.get(username=person.name)).actor
            campaign = await remote_campaign(EVENT)
            if joining:
                await join_remote(site.federation.urls, actor, campaign, pledge_minutes=60)
            else:
                await leave_remote(actor, campaign)

        await site.run(from_their_instance)
    else:
        assert person.actor is not None
        await peers.send(person.actor, _request(person, joining))
    person.is_in = joining


def _request(person: Person, joining: bool) -> dict[str, Any]:
    actor = person.actor
    assert actor is not None
    if person.path == "mobilizon":
        return _stamp(actor, "Join" if joining else "Leave", EVENT)
    if person.path == "vote" and joining and not person.voted:
        person.voted = True  # Mastodon lets one vote once; afterwards they write
        vote = _note(actor, name="I'm in: 1 h", inReplyTo=f"{HOME}/campaigns/cleanup/poll")
        return _stamp(actor, "Create", vote)
    words = "join 1h" if joining else "leave"
    mention = {"type": "Mention", "href": f"{HOME}/campaigns/cleanup"}
    note = _note(actor, content=f"<p>@cleanup {words}</p>", tag=[mention])
    return _stamp(actor, "Create", note)


def cast(fediverse: FakeFediverse) -> list[Person]:
    mastodon = fediverse.add_peer("mastodon.test")
    mobilizon = fediverse.add_peer("mobilizon.test", software="mobilizon")
    people = [Person(f"h{i}", "web") for i in range(4)]
    people += [Person(f"n{i}", "remote_join", "north") for i in range(4)]
    people += [Person(f"s{i}", "remote_join", "south") for i in range(3)]
    people += [Person(f"v{i}", "vote", actor=mastodon.add_actor(f"v{i}")) for i in range(4)]
    people += [Person(f"m{i}", "mention", actor=mastodon.add_actor(f"m{i}")) for i in range(3)]
    people += [Person(f"z{i}", "mobilizon", actor=mobilizon.add_actor(f"z{i}")) for i in range(4)]
    return people


async def test_every_instance_converges_on_the_true_count(
    world: tuple[Network, dict[str, Instance]],
) -> None:
    net, sites = world
    assert net.faults is not None
    home, north, south = sites["home"], sites["north"], sites["south"]
    for mirror in (north, south):

        async def follow_home(site: Instance = mirror) -> None:
            await follow_remote(site.federation, await instance_actor(), f"{HOME}/actor")

        await mirror.run(follow_home)
    people = cast(net.fediverse)
    for person in people:
        if person.path in {"web", "remote_join"}:
            await sites[person.instance].run(lambda p=person: make_account(p.name))
    await net.settle()
    await home.run(lambda: make_campaign(slug="cleanup", goal_target=50, pledge_options=[60]))
    await net.settle()
    assert await north.run(lambda: RemoteCampaign.exists(ap_id=EVENT))

    rng = random.Random(net.faults.seed)
    peers = Peers(net)
    for step in range(120):
        person = rng.choice(people)
        await act(person, rng.random() < 0.6, net, sites, peers)
        if step % 7 == 0:  # some work gets done in between, not all of it
            await rng.choice(list(sites.values())).run_worker(net.now())
            await net.faults.release()
            await peers.flush()
        if step == 40:
            net.faults.down.add("north.test")
        if step == 80:
            net.faults.down.discard("north.test")
            await net.restart(north)

    for _ in range(10):  # the peers keep retrying what was lost until it gets through
        await peers.flush()
        await net.settle()
    assert peers.outbox == []

    truth = sum(p.is_in for p in people)
    who_is_in = await home.run(_who_is_in)
    assert who_is_in == {p.name for p in people if p.is_in}, f"faults: {net.faults.counts}"
    counted = await home.run(lambda: Campaign.get(slug="cleanup"))
    recounted = (await home.run(lambda: recount(counted.id))).participants
    seen = {name: (await site.run(lambda: RemoteCampaign.get(ap_id=EVENT))).participants_count
            for name, site in (("north", north), ("south", south))}  # fmt: skip
    assert (counted.participants_count, recounted, seen) == (
        truth, truth, {"north": truth, "south": truth},
    ), f"faults: {net.faults.counts}"  # fmt: skip
    for name, site in (("north", north), ("south", south)):
        from_here = sum(p.is_in for p in people if p.instance == name)
        mirror = await site.run(lambda: RemoteCampaign.get(ap_id=EVENT))
        assert mirror.local_participants == from_here, name
        states = await site.run(lambda: _states())
        expected = {p.name: p.is_in for p in people if p.instance == name and p.name in states}
        assert {k: v == ParticipationState.ACCEPTED for k, v in states.items()} == expected
    # The network really misbehaved.
    assert min(net.faults.counts.dropped, net.faults.counts.held, net.faults.counts.duplicated) > 0


async def _states() -> dict[str, str]:
    rows = await RemoteJoin.all().select_related("participant")
    return {row.participant.username: str(row.state) for row in rows}


async def _who_is_in() -> set[str]:
    rows = Participation.filter(state=ParticipationState.ACCEPTED).select_related("participant")
    return {row.participant.username for row in await rows}
