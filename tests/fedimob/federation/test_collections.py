import httpx

from activitypub.testing import FakeActor
from fedimob.db import Database
from fedimob.jobs.worker import Worker
from tests.fedimob.factories import make_association, make_campaign
from tests.fedimob.federation.conftest import follow_of, post

AS2 = {"accept": "application/activity+json"}


async def test_followers_show_a_count_and_never_who(
    client: httpx.AsyncClient, worker: Worker, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="cleanup")
    await post(client, "/inbox", follow_of(alice, "https://fedimob.test/campaigns/cleanup"), alice)
    await worker.run_once()
    followers = (await client.get("/campaigns/cleanup/followers", headers=AS2)).json()
    assert followers["totalItems"] == 1
    assert "orderedItems" not in followers
    assert alice.id not in str(followers)
    following = (await client.get("/campaigns/cleanup/following", headers=AS2)).json()
    assert following["totalItems"] == 0


async def test_the_outbox_pages_public_activities_newest_first(
    client: httpx.AsyncClient, worker: Worker, db: Database
) -> None:
    association = await make_association(username="rivers")
    for n in range(25):
        await make_campaign(association, slug=f"c{n}")
    await worker.run_once()  # each publication: the association announces it
    outbox = (await client.get("/associations/rivers/outbox", headers=AS2)).json()
    assert (outbox["type"], outbox["totalItems"]) == ("OrderedCollection", 25)
    first = (await client.get(outbox["first"], headers=AS2)).json()
    assert len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["object"].endswith("/campaigns/c24/event")
    second = (await client.get(first["next"], headers=AS2)).json()
    assert len(second["orderedItems"]) == 5
    assert "next" not in second


async def test_collections_of_unknown_actors_are_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    for path in ("/users/ghost/outbox", "/nothing/x/followers", "/campaigns/%00/following"):
        assert (await client.get(path, headers=AS2)).status_code == 404
    assert (await client.get("/actor/outbox", headers=AS2)).json()["totalItems"] == 0
