"""WebFinger, host-meta and NodeInfo, checked as Mastodon would read them."""

from urllib.parse import quote

import httpx
import pytest

from activitypub.webfinger import read_jrd
from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.domain.campaigns import cancel_campaign
from fedimob.settings import Settings
from tests.fedimob.factories import make_account, make_association, make_campaign

AS2 = "application/activity+json"
MASTODON_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.mark.parametrize("kind", ["person", "association", "campaign", "instance"])
async def test_webfinger_round_trips_for_every_kind_of_actor(
    client: httpx.AsyncClient, db: Database, kind: str
) -> None:
    owner = await make_account("alice")
    association = await make_association(owner, username="rivers")
    await make_campaign(association, slug="cleanup")
    name = {
        "person": "alice",
        "association": "rivers",
        "campaign": "cleanup",
        "instance": "instance",
    }[kind]
    answer = await client.get(
        "/.well-known/webfinger", params={"resource": f"acct:{name}@fedimob.test"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jrd+json"
    assert answer.headers["access-control-allow-origin"] == "*"
    jrd = answer.json()
    assert jrd["subject"] == f"acct:{name}@fedimob.test"
    actor_id = read_jrd(jrd).actor_id
    # Mastodon's check: the actor's preferredUsername and host give back the same acct.
    actor = (await client.get(actor_id, headers={"accept": MASTODON_ACCEPT})).json()
    assert actor["id"] == actor_id
    assert actor["preferredUsername"] == name
    assert actor["webfinger"] == f"acct:{name}@fedimob.test"
    by_url = await client.get("/.well-known/webfinger", params={"resource": actor_id})
    assert by_url.json()["subject"] == jrd["subject"]


@pytest.mark.parametrize(
    "resource",
    [
        "acct:nobody@fedimob.test",
        "acct:alice@other.example",
        "https://other.example/users/alice",
        "https://fedimob.test/users/nobody",
        "https://fedimob.test/campaigns/draft1",
        "acct:alice@fedimob.test\r\nX-Evil: 1",
        "not a resource",
        "acct:" + "a" * 500 + "@fedimob.test",
    ],
)
async def test_webfinger_refuses_what_is_not_ours(
    client: httpx.AsyncClient, db: Database, resource: str
) -> None:
    await make_account("alice")
    await make_campaign(slug="draft1", publish=False)
    answer = await client.get(f"/.well-known/webfinger?resource={quote(resource)}")
    assert answer.status_code == 404
    assert "error" in answer.json()


@pytest.mark.parametrize("query", ["", "?resource=", "?resource=" + "x" * 700])
async def test_webfinger_without_a_usable_resource_is_400(
    client: httpx.AsyncClient, db: Database, query: str
) -> None:
    assert (await client.get(f"/.well-known/webfinger{query}")).status_code == 400


async def test_host_meta_points_to_webfinger(client: httpx.AsyncClient, db: Database) -> None:
    answer = await client.get("/.well-known/host-meta")
    assert answer.headers["content-type"].startswith("application/xrd+xml")
    assert 'template="https://fedimob.test/.well-known/webfinger?resource={uri}"' in answer.text


async def test_nodeinfo_reports_real_usage_and_the_instance_actor(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    rels = {link["rel"]: link["href"] for link in links}
    assert (
        rels["http://nodeinfo.diaspora.software/ns/schema/2.1"]
        == "https://fedimob.test/nodeinfo/2.1"
    )
    assert rels["https://www.w3.org/ns/activitystreams#Application"] == "https://fedimob.test/actor"
    info = (await client.get("/nodeinfo/2.1")).json()
    assert info["software"]["name"] == "fedimob"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["users"]["total"] == 17  # the organiser and 16 volunteers
    assert info["usage"]["users"]["activeMonth"] >= 14
    assert info["metadata"]["campaigns"] == {"running": 3, "ended": 2}
    assert info["usage"]["localPosts"] == 7  # 5 public campaigns and 2 news posts


async def test_cancelled_event_answers_410_with_a_tombstone(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(slug="gone_soon")
    await cancel_campaign(campaign)
    answer = await client.get("/campaigns/gone_soon/event", headers={"accept": AS2})
    assert answer.status_code == 410
    assert answer.json()["type"] == "Tombstone"
    assert answer.json()["id"] == "https://fedimob.test/campaigns/gone_soon/event"
