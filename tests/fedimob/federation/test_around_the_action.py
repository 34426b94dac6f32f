"""Participants hear from the campaign: a reminder the day before, the outcome at the end."""

from datetime import timedelta

import httpx

from activitypub.testing import FakeFediverse
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.participation import join as join_locally
from fedimob.jobs.worker import Worker
from fedimob.models import Campaign, CampaignKind, JoinVia, Notice
from tests.fedimob.factories import make_account, make_campaign
from tests.fedimob.federation.conftest import new_id, post

EVENT = "https://fedimob.test/campaigns/river/event"


async def test_a_reminder_the_day_before_and_the_outcome_at_the_end(
    client: httpx.AsyncClient, worker: Worker, db: Database, fediverse: FakeFediverse
) -> None:
    mobilizon = fediverse.add_peer("mobilizon.example", verify_signatures=True)
    now = utcnow()
    start = now + timedelta(days=3)
    await make_campaign(
        slug="river", title="River day", kind=CampaignKind.PHYSICAL, address="Quai de la Fosse",
        starts_at=start, deadline=now + timedelta(days=2), goal_target=1, pledge_options=[120],
        now=now,
    )  # fmt: skip
    person = mobilizon.add_actor("camille")
    join = {"id": new_id(person), "type": "Join", "actor": person.id, "object": EVENT}
    await post(client, "/inbox", join, person)
    local = await make_account("lea", language="fr")  # a local participant: notices, not messages
    await join_locally(
        await Campaign.get(slug="river"), await local.actor, via=JoinVia.WEB, now=now
    )
    await worker.run_once()

    def messages() -> list[str]:
        return [
            d.activity["object"]["content"] for d in mobilizon.deliveries
            if d.activity["type"] == "Create" and d.activity["object"]["to"] == [person.id]
        ]  # fmt: skip

    assert messages() == []
    await worker.run_once(now=now + timedelta(days=1, hours=1))
    assert messages() == []
    await worker.run_once(now=now + timedelta(days=2) - timedelta(minutes=1))
    assert messages() == []
    await worker.run_once(now=now + timedelta(days=2, minutes=1))  # deadline, and a day to go
    outcome, reminder = sorted(messages(), key=lambda text: "tomorrow" in text)
    assert "goal reached" in outcome
    assert "4 h" in outcome  # both pledges
    assert "tomorrow" in reminder
    assert "Quai de la Fosse" in reminder
    assert all(d.status == 202 for d in mobilizon.deliveries), [
        d.reason for d in mobilizon.deliveries
    ]
    notices = {n.kind: n for n in await Notice.filter(account_id=local.id)}
    assert set(notices) == {"reminder", "succeeded"}
    assert "demain" in notices["reminder"].text  # in Léa's language
    assert "Quai de la Fosse" in notices["reminder"].text
    assert notices["reminder"].url == "https://fedimob.test/campaigns/river"
    # The jobs running again (a retry) leave no second notice.
    await worker.run_once(now=now + timedelta(days=2, minutes=2))
    assert await Notice.filter(account_id=local.id).count() == 2
