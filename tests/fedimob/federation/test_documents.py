"""Actor and Event documents: shapes Mastodon and Mobilizon accept, on one URL with the page."""

import re
from datetime import timedelta

import httpx
import pytest

from activitypub.keys import load_public_key_pem
from activitypub.vocab import find_public_key, read_types
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.actors import rotate_keys
from fedimob.domain.participation import join
from fedimob.models import Actor, CampaignKind, JoinVia
from tests.fedimob.factories import make_actor, make_campaign

AS2 = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MASTODON_USERNAME = re.compile(r"[a-z0-9_]+([.-]+[a-z0-9_]+)*", re.IGNORECASE)


@pytest.mark.parametrize("accept", [AS2, LD])
async def test_campaign_url_serves_a_group_actor_to_fediverse_servers(
    client: httpx.AsyncClient, db: Database, accept: str
) -> None:
    campaign = await make_campaign(slug="river_day", title="River day")
    answer = await client.get("/campaigns/river_day", headers={"accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(AS2)
    assert answer.headers["vary"] == "Accept"
    actor = answer.json()
    assert read_types(actor) == ("Group",)
    assert actor["id"] == "https://fedimob.test/campaigns/river_day"
    assert MASTODON_USERNAME.fullmatch(actor["preferredUsername"])
    assert actor["inbox"] == actor["id"] + "/inbox"
    assert actor["endpoints"]["sharedInbox"] == "https://fedimob.test/inbox"
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["url"] == "https://fedimob.test/campaigns/river_day"
    key = find_public_key(actor, actor["id"] + "#main-key")
    assert key is not None
    assert key.owner == actor["id"]
    stored = await Actor.get(id=campaign.actor_id)  # type: ignore[attr-defined]
    assert key.pem == stored.public_key_pem
    load_public_key_pem(key.pem)  # a real, parseable RSA key


async def test_browsers_get_the_page_on_the_same_url(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="river_day", title="River day")
    page = await client.get("/campaigns/river_day", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert (
        '<link rel="alternate" type="application/activity+json" href="https://fedimob.test/campaigns/river_day">'
        in page.text
    )
    redirect = await client.get("/campaigns/river_day/event", headers={"accept": BROWSER})
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/campaigns/river_day"


async def test_association_and_person_urls_negotiate_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign()
    association = await campaign.association
    owner = await (await association.memberships.all().first()).account  # type: ignore[union-attr]
    for path, kind in (
        (f"/associations/{association.username}", "Organization"),
        (f"/users/{owner.username}", "Person"),
    ):
        assert (await client.get(path, headers={"accept": AS2})).json()["type"] == kind
        html = await client.get(path, headers={"accept": BROWSER})
        assert html.status_code == 200
        assert "text/html" in html.headers["content-type"]
        assert "@example.org" not in html.text  # e-mail addresses are never public


async def test_drafts_and_unknown_actors_are_404_in_both_forms(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="draft_one", publish=False)
    for path in (
        "/campaigns/draft_one",
        "/campaigns/draft_one/event",
        "/users/ghost",
        "/associations/ghost",
    ):
        assert (await client.get(path, headers={"accept": AS2})).status_code == 404, path
        assert (await client.get(path, headers={"accept": BROWSER})).status_code in {404, 303}, path


async def test_instance_actor_is_an_application_that_signs(
    client: httpx.AsyncClient, db: Database
) -> None:
    actor = (await client.get("/actor")).json()
    assert actor["type"] == "Application"
    assert actor["publicKey"]["id"] == "https://fedimob.test/actor#main-key"
    assert actor["discoverable"] is False
    again = (await client.get("/actor")).json()
    assert again["publicKey"]["publicKeyPem"] == actor["publicKey"]["publicKeyPem"]


async def test_event_carries_mobilizon_and_fedimob_terms_but_no_counts_in_its_text(
    client: httpx.AsyncClient, db: Database
) -> None:
    start = utcnow() + timedelta(days=9)
    campaign = await make_campaign(
        slug="bridge", title="Bridge clean-up", summary="Litter <b>picking</b>",
        kind=CampaignKind.PHYSICAL, address="Pont Anne de Bretagne", latitude=47.2,
        longitude=-1.56, starts_at=start, goal_target=40, capacity=50, pledge_options=[120, 180],
    )  # fmt: skip
    before = (await client.get("/campaigns/bridge/event", headers={"accept": AS2})).json()
    for _ in range(3):
        await join(campaign, await make_actor(), via=JoinVia.WEB)
    event = (await client.get("/campaigns/bridge/event", headers={"accept": AS2})).json()
    assert event["type"] == "Event"
    assert event["attributedTo"] == "https://fedimob.test/campaigns/bridge"
    assert event["location"] == {
        "type": "Place",
        "name": "Pont Anne de Bretagne",
        "latitude": 47.2,
        "longitude": -1.56,
    }
    assert (event["participantCount"], event["remainingAttendeeCapacity"]) == (3, 47)
    assert event["maximumAttendeeCapacity"] == 50
    assert event["joinMode"] == "free"
    assert event["pledgedMinutes"] == 3 * 120
    assert [o["minutes"] for o in event["pledgeOptions"]] == [120, 180]
    assert "&lt;b&gt;picking&lt;/b&gt;" in event["summary"]  # plain text, escaped
    # Counts change; the text Mastodon shows does not (no "edited" notices).
    assert (event["name"], event["summary"]) == (before["name"], before["summary"])
    assert "https://www.w3.org/ns/activitystreams#Public" in event["to"]


async def test_rotated_keys_are_what_the_actor_document_serves(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(slug="keyed")
    before = (await client.get("/campaigns/keyed", headers={"accept": AS2})).json()["publicKey"]
    await rotate_keys(await Actor.get(id=campaign.actor_id))  # type: ignore[attr-defined]
    after = (await client.get("/campaigns/keyed", headers={"accept": AS2})).json()["publicKey"]
    assert after["id"] == before["id"]
    assert after["publicKeyPem"] != before["publicKeyPem"]


@pytest.mark.parametrize(
    "name", ["%00", "a%00b", "%0d%0aX-Evil:%201", "x" * 5000, "%C3%A9", "..%2f..%2fetc", "UPPER"]
)
@pytest.mark.parametrize("prefix", ["/campaigns/", "/users/", "/associations/"])
@pytest.mark.parametrize("accept", [AS2, BROWSER])
async def test_hostile_names_in_paths_are_404_never_500(
    client: httpx.AsyncClient, db: Database, name: str, prefix: str, accept: str
) -> None:
    for suffix in ("", "/event"):
        answer = await client.get(prefix + name + suffix, headers={"accept": accept})
        assert answer.status_code in {404, 303}, (prefix, name, suffix, answer.status_code)
