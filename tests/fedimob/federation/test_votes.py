"""The Mastodon path: vote in the join poll, get counted, get a direct message, see tallies."""

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from activitypub.testing import FakeActor, FakePeer
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.withdrawal import participation_for
from fedimob.jobs.worker import Worker
from fedimob.models import Campaign, InboxItem, InboxState, Participation
from tests.conftest import TEST_SECRET
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import follow_of, post

POLL = "https://fedimob.test/campaigns/river/poll"
AS2 = {"accept": "application/activity+json"}


def vote_of(actor: FakeActor, choice: str, poll: str = POLL, n: int = 1) -> dict[str, Any]:
    """A vote exactly as Mastodon sends it."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.id}#votes/{n}/activity", "type": "Create", "actor": actor.id,
        "to": "https://fedimob.test/campaigns/river",
        "object": {"id": f"{actor.id}#votes/{n}", "type": "Note", "name": choice,
                   "inReplyTo": poll, "attributedTo": actor.id,
                   "to": "https://fedimob.test/campaigns/river"},
    }  # fmt: skip


async def question(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/campaigns/river/poll", headers=AS2)
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


async def test_the_poll_offers_one_option_per_pledge_in_the_campaigns_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="river", pledge_options=[30, 60, 90, 240])
    poll = await question(client)
    assert poll["type"] == "Question"
    assert [o["name"] for o in poll["oneOf"]] == [
        "I'm in: 30 min",
        "I'm in: 1 h",
        "I'm in: 1 h 30",
        "I'm in: 4 h",
    ]
    assert "updated" not in poll
    await make_campaign(slug="riviere", language="fr", pledge_options=[240])
    french = (await client.get("/campaigns/riviere/poll", headers=AS2)).json()
    assert [o["name"] for o in french["oneOf"]] == ["Je participe : 4 h"]


async def test_a_mastodon_vote_joins_and_gets_a_direct_message(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    campaign = await make_campaign(slug="river", title="River day", pledge_options=[60, 240])
    for _ in range(2):  # a replay changes nothing
        assert (
            await post(client, "/inbox", vote_of(alice, "I'm in: 4 h"), alice)
        ).status_code == 202
    await worker.run_once()
    row = await Participation.get()
    assert (row.pledge_minutes, row.via, row.ap_id) == (240, "poll", f"{alice.id}#votes/1")
    assert (await Campaign.get(id=campaign.id)).participants_count == 1
    [dm] = [d for d in mastodon.deliveries if d.activity["type"] == "Create"]
    assert dm.status == 202, dm.reason
    note = dm.activity["object"]
    assert note["to"] == [alice.id]
    assert note["cc"] == []
    assert note["tag"] == [{"type": "Mention", "href": alice.id, "name": "@alice@mastodon.example"}]
    assert "River day" in note["content"]
    assert "4 h" in note["content"]
    # The link to withdraw in one click (a vote cannot be undone on Mastodon).
    link = re.search(r'href="https://fedimob\.test(/withdraw/(\d+)/([\w-]+))"', note["content"])
    assert link is not None, note["content"]
    assert int(link[2]) == row.id
    named = await participation_for(TEST_SECRET, row.id, link[3])
    assert named.id == row.id
    poll = await question(client)
    assert poll["votersCount"] == 1
    assert [o["replies"]["totalItems"] for o in poll["oneOf"]] == [0, 1]


@pytest.mark.parametrize(
    ("choice", "poll"),
    [("I'm in: 3 h", POLL), ("I'm in: 1 h", "https://fedimob.test/campaigns/other/poll"),
     ("I'm in: 1 h", "https://elsewhere.example/polls/1"), ("I'm in: 1 h", "https://fedimob.test/campaigns/river/event")],
)  # fmt: skip
async def test_votes_for_no_option_or_not_our_poll_are_refused(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor,
    choice: str, poll: str,
) -> None:  # fmt: skip
    await make_campaign(slug="river", pledge_options=[60])
    await post(client, "/inbox", vote_of(alice, choice, poll), alice)
    await worker.run_once()
    assert (await InboxItem.get()).state == InboxState.FAILED
    assert not await Participation.exists()
    assert not mastodon.deliveries


async def test_a_vote_for_someone_else_is_refused(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await make_campaign(slug="river", pledge_options=[60])
    bob = mastodon.add_actor("bob")
    forged = vote_of(alice, "I'm in: 1 h")
    forged["object"]["attributedTo"] = bob.id
    await post(client, "/inbox", forged, alice)
    await worker.run_once()
    assert not await Participation.exists()


async def test_a_vote_after_the_deadline_counts_nothing(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    now = utcnow()
    await make_campaign(
        slug="river", pledge_options=[60], now=now, deadline=now + timedelta(hours=1)
    )
    await post(client, "/inbox", vote_of(alice, "I'm in: 1 h"), alice)
    await worker.run_once(now=now + timedelta(hours=2))
    assert not await Participation.exists()
    assert not [d for d in mastodon.deliveries if d.activity["type"] == "Create"]


async def test_tallies_reach_followers_and_the_poll_closes_at_the_end(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    now = utcnow()
    campaign = await make_campaign(
        slug="river", pledge_options=[60], now=now, deadline=now + timedelta(hours=1)
    )
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/river"), alice)
    bob = mastodon.add_actor("bob")
    await post(client, "/inbox", vote_of(bob, "I'm in: 1 h"), bob)
    await worker.run_once()
    updates = [d.activity["object"] for d in mastodon.deliveries if d.activity["type"] == "Update"]
    polls = [u for u in updates if u["type"] == "Question"]
    assert [p["votersCount"] for p in polls] == [1]
    assert "closed" not in polls[0]
    assert "updated" not in polls[0]
    await end_if_due(campaign.id, now=now + timedelta(hours=1, minutes=1))
    await worker.run_once(now=now + timedelta(hours=1, minutes=2))
    updates = [d.activity["object"] for d in mastodon.deliveries if d.activity["type"] == "Update"]
    assert [p.get("closed") is not None for p in updates if p["type"] == "Question"] == [
        False,
        True,
    ]


async def test_a_new_follower_gets_the_poll_privately_and_can_vote_in_it(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await make_campaign(slug="river", title="River day", pledge_options=[60, 120])
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/river"), alice)
    await worker.run_once()
    [welcome] = [
        d.activity["object"] for d in mastodon.deliveries
        if d.activity["type"] == "Create" and d.activity["object"]["to"] == [alice.id]
    ]  # fmt: skip
    assert welcome["type"] == "Question"
    assert welcome["to"] == [alice.id]
    assert welcome["id"].startswith(POLL + "/")
    assert [o["name"] for o in welcome["oneOf"]] == ["I'm in: 1 h", "I'm in: 2 h"]
    await post(client, "/inbox", vote_of(alice, "I'm in: 2 h", poll=welcome["id"]), alice)
    await worker.run_once()
    assert (await Participation.get()).pledge_minutes == 120
    # Following again (already taking part): no second invitation.
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/river"), alice)
    await worker.run_once()
    invitations = [
        d for d in mastodon.deliveries
        if d.activity["type"] == "Create" and d.activity["object"].get("type") == "Question"
        and d.activity["object"]["to"] == [alice.id]
    ]  # fmt: skip
    assert len(invitations) == 1
