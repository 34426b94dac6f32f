"""Like counts as support, Announce as a share, once per actor; Undo takes it back."""

from typing import Any

import httpx

from activitypub.testing import FakeActor, FakePeer
from fedimob.db import Database
from fedimob.jobs.worker import Worker
from fedimob.models import Reaction
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import new_id, post

EVENT = "https://fedimob.test/campaigns/river/event"
AS2 = {"accept": "application/activity+json"}


async def counts(client: httpx.AsyncClient) -> tuple[int, int]:
    event: dict[str, Any] = (await client.get("/campaigns/river/event", headers=AS2)).json()
    return event["likes"]["totalItems"], event["shares"]["totalItems"]


async def test_likes_and_boosts_count_once_and_undo_takes_them_back(
    client: httpx.AsyncClient, worker: Worker, db: Database, mastodon: FakePeer, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    bob = mastodon.add_actor("bob")
    like = {"id": new_id(alice), "type": "Like", "actor": alice.id, "object": EVENT}
    boost = {"id": new_id(bob), "type": "Announce", "actor": bob.id, "object": EVENT}
    for activity, person in ((like, alice), (like, alice), (boost, bob),
                             ({**like, "id": new_id(alice)}, alice)):  # fmt: skip
        await post(client, "/inbox", activity, person)
    await worker.run_once()
    assert await counts(client) == (1, 1)
    # Undo by another actor changes nothing; the owner's own Undo (by id or embedded) does.
    await post(
        client,
        "/inbox",
        {"id": new_id(bob), "type": "Undo", "actor": bob.id, "object": like["id"]},
        bob,
    )
    await worker.run_once()
    assert await counts(client) == (1, 1)
    await post(
        client,
        "/inbox",
        {"id": new_id(alice), "type": "Undo", "actor": alice.id, "object": like},
        alice,
    )
    undo_boost = {"id": new_id(bob), "type": "Undo", "actor": bob.id, "object": boost["id"]}
    await post(client, "/inbox", undo_boost, bob)
    await worker.run_once()
    assert await counts(client) == (0, 0)


async def test_reactions_to_what_is_not_ours_are_not_counted_and_a_delete_removes_them(
    client: httpx.AsyncClient, worker: Worker, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    elsewhere = {"id": new_id(alice), "type": "Announce", "actor": alice.id,
                 "object": "https://other.example/campaigns/x/event"}  # fmt: skip
    await post(client, "/inbox", elsewhere, alice)
    await post(
        client,
        "/inbox",
        {"id": new_id(alice), "type": "Like", "actor": alice.id, "object": EVENT},
        alice,
    )
    await worker.run_once()
    assert await Reaction.all().count() == 1
    delete = {"id": alice.id + "#delete", "type": "Delete", "actor": alice.id, "object": alice.id}
    await post(client, "/inbox", delete, alice)
    await worker.run_once()
    assert await counts(client) == (0, 0)
