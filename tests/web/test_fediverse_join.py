"""Joining with one's Fediverse account: the address is looked up, the visitor sent to vote."""

from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest

from activitypub.testing import FakeFediverse
from fedimob.app import create_app
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.models import Campaign
from fedimob.settings import Settings
from tests.conftest import TEST_SECRET
from tests.fedimob.factories import make_campaign
from tests.web.forms import ORIGIN, csrf_from, submit


def _poll(campaign: Campaign, base: str = ORIGIN) -> str:
    return quote(f"{base}/campaigns/{campaign.slug}/poll", safe="")


async def _go(client: httpx.AsyncClient, campaign: Campaign, handle: str) -> httpx.Response:
    return await submit(client, f"/campaigns/{campaign.slug}/fediverse", {"handle": handle})


def _jrd_server(host: str, links: list[dict[str, str]]) -> httpx.MockTransport:
    """A server whose WebFinger answers for any account with these links."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/.well-known/webfinger":
            return httpx.Response(404)
        self_link = {"rel": "self", "type": "application/activity+json",
                     "href": f"https://{host}/users/carol"}  # fmt: skip
        jrd = {"subject": f"acct:carol@{host}", "links": [self_link, *links]}
        return httpx.Response(200, json=jrd, headers={"content-type": "application/jrd+json"})

    return httpx.MockTransport(handle)


async def test_the_page_explains_the_one_click_that_remains(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(title="River clean-up")
    page = await client.get(f"/campaigns/{campaign.slug}/fediverse")
    assert page.status_code == 200
    assert "River clean-up" in page.text
    assert "vote for the time you give" in page.text
    assert f"@{campaign.slug}@fedimob.test" in page.text
    assert 'name="handle"' in page.text
    assert 'name="csrf_token"' in page.text
    # Its form leads to the visitor's own server, so it may send forms to other sites.
    assert "form-action 'self' https:;" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]
    other = await client.get(f"/campaigns/{campaign.slug}")
    assert "form-action 'self';" in other.headers["content-security-policy"]


@pytest.mark.parametrize(
    "typed", ["@bob@mastodon.example", "bob@mastodon.example", " acct:bob@Mastodon.Example "]
)
async def test_a_mastodon_user_is_sent_to_the_poll_on_their_server(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse, typed: str
) -> None:
    fediverse.add_peer("mastodon.example").add_actor("bob")
    campaign = await make_campaign()
    response = await _go(client, campaign, typed)
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"https://mastodon.example/authorize_interaction?uri={_poll(campaign)}"
    )
    again = await client.get(f"/campaigns/{campaign.slug}/fediverse")
    assert 'value="@bob@mastodon.example"' in again.text  # remembered for next time


async def test_the_servers_own_template_is_used(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    template = {"rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": "https://misskey.example/authorize-follow?acct={uri}"}  # fmt: skip
    fediverse.mount("misskey.example", _jrd_server("misskey.example", [template]))
    campaign = await make_campaign()
    response = await _go(client, campaign, "@carol@misskey.example")
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"https://misskey.example/authorize-follow?acct={_poll(campaign)}"
    )


@pytest.mark.parametrize(
    "template", [None, "javascript:alert(1)//{uri}", "https://no-placeholder.example/"]
)
async def test_without_a_usable_template_mastodons_path_is_assumed(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse, template: str | None
) -> None:
    links = [] if template is None else [
        {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}
    ]  # fmt: skip
    fediverse.mount("plain.example", _jrd_server("plain.example", links))
    campaign = await make_campaign()
    response = await _go(client, campaign, "@carol@plain.example")
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"https://plain.example/authorize_interaction?uri={_poll(campaign)}"
    )


async def test_an_unknown_account_is_explained(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    fediverse.add_peer("mastodon.example")
    campaign = await make_campaign()
    response = await _go(client, campaign, "@nobody@mastodon.example")
    assert response.status_code == 404
    assert "does not know this account" in response.text
    assert 'value="@nobody@mastodon.example"' in response.text  # to correct it


async def test_a_server_that_does_not_answer_is_explained(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>not json</html>",
                              headers={"content-type": "text/html"})  # fmt: skip

    fediverse.mount("slow.example", httpx.MockTransport(hang))
    fediverse.mount("broken.example", httpx.MockTransport(broken))
    campaign = await make_campaign()
    for typed, status, message in (
        ("@a@slow.example", 502, "did not answer in time"),
        ("@a@gone.example", 502, "did not answer in time"),  # no such host
        ("@a@broken.example", 502, "could not be used"),
    ):
        response = await _go(client, campaign, typed)
        assert response.status_code == status, typed
        assert message in response.text
        assert "location" not in response.headers


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type your address as @you@your.server"),
        ("bob", "Type your address as @you@your.server"),
        ("bob @mastodon.example", "Type your address as @you@your.server"),
        ("bob@mastodon.example\r\nLocation: https://evil.example", "Type your address"),
        ("\x00@mastodon.example", "Type your address"),  # NUL dropped: no name left
        ("javascript:alert(1)", "Type your address"),
        ("@bob@https://mastodon.example/", "Type your address"),
        ("@" + "b" * 5000 + "@mastodon.example", "Type your address"),
        ("@a@127.0.0.1", "cannot be reached from here"),
        ("@a@[::1]", "cannot be reached from here"),
        ("@a@10.1.2.3", "cannot be reached from here"),
        ("@a@169.254.169.254", "cannot be reached from here"),
        ("@alice@fedimob.test", "log in to join"),
    ],
)
async def test_hostile_or_unusable_addresses_are_refused(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse, typed: str, message: str
) -> None:
    fediverse.add_peer("mastodon.example").add_actor("bob")
    campaign = await make_campaign()
    response = await _go(client, campaign, typed)
    assert response.status_code == 400
    assert message in response.text
    assert "location" not in response.headers


async def test_private_addresses_are_allowed_in_development_only(
    db: Database, settings: Settings, fediverse: FakeFediverse
) -> None:
    fediverse.add_peer("127.0.0.1:8001", scheme="http").add_actor("dev")
    development = Settings(
        url=settings.url,
        database_url=settings.database_url,
        secret_key=TEST_SECRET,
        dev_allow_private_network=True,
    )
    app = create_app(development, database=db, run_worker=False, transport=fediverse.transport())
    campaign = await make_campaign()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as dev:
        page = await dev.get(f"/campaigns/{campaign.slug}/fediverse")
        assert "form-action 'self' https: http:;" in page.headers["content-security-policy"]
        response = await _go(dev, campaign, "@dev@127.0.0.1:8001")
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"http://127.0.0.1:8001/authorize_interaction?uri={_poll(campaign)}"
    )


async def test_a_closed_campaign_sends_nobody(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    fediverse.add_peer("mastodon.example").add_actor("bob")
    past = utcnow() - timedelta(days=10)
    campaign = await make_campaign(now=past, deadline=past + timedelta(days=1))
    page = await client.get(f"/campaigns/{campaign.slug}/fediverse")
    assert "not taking participants any more" in page.text
    assert 'name="handle"' not in page.text
    response = await submit(
        client, f"/campaigns/{campaign.slug}/fediverse", {"handle": "@bob@mastodon.example"},
        page="/login",
    )  # fmt: skip
    assert response.status_code == 409
    assert (await client.get("/campaigns/nope/fediverse")).status_code == 404


async def test_the_form_needs_its_csrf_token(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    fediverse.add_peer("mastodon.example").add_actor("bob")
    campaign = await make_campaign()
    response = await client.post(
        f"/campaigns/{campaign.slug}/fediverse",
        data={"handle": "@bob@mastodon.example"},
        headers={"origin": ORIGIN},
    )
    assert response.status_code == 403
    assert "location" not in response.headers


async def test_lookups_are_limited_per_address(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await make_campaign()
    path = f"/campaigns/{campaign.slug}/fediverse"
    token = csrf_from((await client.get(path)).text)
    statuses = [
        (
            await client.post(
                path, data={"csrf_token": token, "handle": "nope"}, headers={"origin": ORIGIN}
            )
        ).status_code
        for _ in range(31)
    ]
    assert statuses == [400] * 30 + [429]
