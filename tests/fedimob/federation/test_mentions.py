"""Joining and leaving by writing to the campaign: "@river join 2h", "@river je me retire"."""

from typing import Any

import httpx

from activitypub.testing import FakeActor, FakePeer
from fedimob.db import Database
from fedimob.jobs.worker import Worker
from fedimob.models import Campaign, GoalKind, Participation, ParticipationState
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import new_id, post

CAMPAIGN = "https://fedimob.test/campaigns/river"


def mention(actor: FakeActor, text: str, **extra: Any) -> dict[str, Any]:
    """A public Mastodon reply mentioning the campaign."""
    note_id = new_id(actor, "statuses")
    return {
        "id": f"{note_id}/activity", "type": "Create", "actor": actor.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [CAMPAIGN],
        "object": {
            "id": note_id, "type": "Note", "attributedTo": actor.id,
            "content": f'<p><span class="h-card"><a href="{CAMPAIGN}" class="u-url mention">'
                       f"@<span>river</span></a></span> {text}</p>",
            "tag": [{"type": "Mention", "href": CAMPAIGN, "name": "@river@fedimob.test"}],
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [CAMPAIGN], **extra,
        },
    }  # fmt: skip


def direct_messages(peer: FakePeer) -> list[str]:
    return [
        d.activity["object"]["content"] for d in peer.deliveries
        if d.activity["type"] == "Create" and d.activity["object"]["to"] == [d.activity["to"][0]]
    ]  # fmt: skip


async def test_join_with_a_pledge_then_leave_by_mention(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    campaign = await make_campaign(slug="river", title="River day", pledge_options=[60])
    await post(client, "/inbox", mention(alice, "join 2h"), alice)
    await worker.run_once()
    row = await Participation.get()
    assert (row.state, row.pledge_minutes, row.via) == (ParticipationState.ACCEPTED, 120, "mention")
    await post(client, "/inbox", mention(alice, "je me retire"), alice)
    await worker.run_once()
    assert (await Participation.get()).state == ParticipationState.WITHDRAWN
    assert (await Campaign.get(id=campaign.id)).participants_count == 0
    messages = direct_messages(mastodon)
    assert len(messages) == 2
    assert "2 h" in messages[0]
    assert "no longer" in messages[1]


async def test_french_campaigns_answer_in_french(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await make_campaign(slug="river", title="Berges", language="fr", pledge_options=[60])
    await post(client, "/inbox", mention(alice, "Je participe !"), alice)
    await worker.run_once()
    assert (await Participation.get()).pledge_minutes == 60  # the first option
    [message] = direct_messages(mastodon)
    assert "Vous participez à « Berges » : 1 h" in message.replace("&#x27;", "'").replace(
        "&quot;", '"'
    )


async def test_mentions_without_a_request_or_by_someone_else_change_nothing(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    bob = mastodon.add_actor("bob")
    await post(client, "/inbox", mention(alice, "what time does it start?"), alice)
    await post(client, "/inbox", mention(alice, "join", attributedTo=bob.id), alice)
    unrelated = mention(alice, "join 1h")
    unrelated["object"]["tag"] = []
    await post(client, "/inbox", unrelated, alice)
    await worker.run_once()
    assert not await Participation.exists()
    assert direct_messages(mastodon) == []


async def test_participants_report_what_they_did_by_replying(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:

    campaign = await make_campaign(
        slug="river", goal_kind=GoalKind.IMPACT, goal_target=5000, impact_unit="e-mails deleted"
    )
    await post(client, "/inbox", mention(alice, "join 1h"), alice)
    await post(client, "/inbox", mention(alice, "done: 45 min, 1200"), alice)
    await worker.run_once()
    row = await Participation.get()
    assert (row.reported_minutes, float(row.reported_impact or 0)) == (45, 1200.0)
    stored = await Campaign.get(id=campaign.id)
    assert (stored.reported_minutes, float(stored.impact_total)) == (45, 1200.0)
    assert "45 min, 1200 e-mails deleted" in direct_messages(mastodon)[-1]
