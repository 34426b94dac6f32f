"""/admin/blocks: blocking a domain from the page, and the inbox refusing it at once."""

import httpx
import pytest

from activitypub.testing import FakeFediverse
from fedimob.db import Database
from fedimob.federation.hosts import is_blocked
from fedimob.models import InboxItem, RemoteHost
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import follow_of, post
from tests.web.admins import log_in_admin
from tests.web.forms import submit


async def test_a_block_added_in_the_page_makes_the_inbox_refuse_that_domain(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse
) -> None:
    campaign = await make_campaign(slug="river")
    spammer = fediverse.add_peer("spam.example").add_actor("bot")
    target = f"https://fedimob.test/campaigns/{campaign.slug}"
    assert (await post(client, "/inbox", follow_of(spammer, target), spammer)).status_code == 202
    await log_in_admin(client)
    response = await submit(
        client, "/admin/blocks", {"domain": "  Spam.EXAMPLE. ", "reason": "floods us"}
    )
    assert response.status_code == 303
    page = await client.get("/admin/blocks")
    assert "spam.example is blocked." in page.text
    assert "<code>spam.example</code>" in page.text
    assert "floods us" in page.text
    assert "UTC" in page.text  # the date of the block
    refused = await post(client, "/inbox", follow_of(spammer, target), spammer)
    assert refused.status_code == 403
    assert await InboxItem.all().count() == 1  # only the one from before the block

    lifted = await submit(
        client, "/admin/blocks/remove", {"domain": "spam.example"}, page="/admin/blocks"
    )
    assert lifted.status_code == 303
    page = await client.get("/admin/blocks")
    assert "The block of spam.example is lifted." in page.text
    assert "No domain is blocked." in page.text
    assert (await post(client, "/inbox", follow_of(spammer, target), spammer)).status_code == 202


async def test_subdomains_and_international_names_are_blocked_normalised(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    assert (await submit(client, "/admin/blocks", {"domain": "Bücher.example"})).status_code == 303
    assert await RemoteHost.exists(domain="xn--bcher-kva.example", blocked=True)
    assert await is_blocked("shop.xn--bcher-kva.example")
    again = await submit(
        client, "/admin/blocks", {"domain": "xn--bcher-kva.example", "reason": "r"}
    )
    assert again.status_code == 303  # blocking twice updates the reason
    assert (await RemoteHost.get(domain="xn--bcher-kva.example")).block_reason == "r"


@pytest.mark.parametrize(
    ("domain", "reason", "message"),
    [
        ("http://x/y", "", "Enter the domain alone, like spam.example: no http://"),
        ("https://spam.example/", "", "Enter the domain alone"),
        ("spam.example:8443", "", "Enter the domain alone"),
        ("spam.example/path", "", "Enter the domain alone"),
        ("user@spam.example", "", "Enter the domain alone"),
        ("not a domain", "", "Enter the domain alone"),
        ("*.spam.example", "", "Enter the domain alone"),
        ("-x-.example", "", "Enter the domain alone"),
        ("fedimob.test", "", "This is our own domain: it cannot be blocked."),
        ("FEDIMOB.test", "", "This is our own domain"),
        ("test", "", "Enter the domain alone"),
        ("", "", "Enter the domain to block, like spam.example."),
        ("   ", "", "Enter the domain to block"),
        ("d" * 10_000, "", "Enter the domain alone"),
        ("spam.example", "r" * 10_000, "The reason can have 1,000 characters at most."),
    ],
)
async def test_bad_blocks_are_explained_and_change_nothing(
    client: httpx.AsyncClient, db: Database, domain: str, reason: str, message: str
) -> None:
    await log_in_admin(client)
    response = await submit(client, "/admin/blocks", {"domain": domain, "reason": reason})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert not await RemoteHost.exists()


async def test_lifting_a_block_that_does_not_exist_says_so(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    for domain in ("never.example", "http://x/y", ""):
        response = await submit(
            client, "/admin/blocks/remove", {"domain": domain}, page="/admin/blocks"
        )
        assert response.status_code == 303
        assert "was not blocked" in (await client.get("/admin/blocks")).text
