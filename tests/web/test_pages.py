import httpx

from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.domain.campaigns import get_campaign
from fedimob.settings import Settings
from tests.fedimob.factories import make_campaign


async def test_home_lists_the_demo_campaigns_running_and_ended(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for title in (
        "Clean out your old e-mails",
        "River clean-up on Saturday",
        "Delete duplicate photos",
    ):
        assert title in page.text
    assert "Unsubscribe week" not in page.text  # a draft is not public
    assert 'href="/campaigns/loire_cleanup"' in page.text


async def test_campaign_page_shows_progress_and_handle(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    page = await client.get("/campaigns/loire_cleanup")
    assert page.status_code == 200
    campaign = await get_campaign("loire_cleanup")
    assert f"<strong>{campaign.participants_count}</strong> of 40 people" in page.text
    assert "@loire_cleanup@fedimob.test" in page.text
    assert '<progress max="100" value="35"' in page.text


async def test_drafts_and_unknown_campaigns_are_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    draft = await make_campaign(publish=False)
    assert (await client.get(f"/campaigns/{draft.slug}")).status_code == 404
    assert (await client.get("/campaigns/nope")).status_code == 404
    assert (await client.get("/campaigns/%00%0d%0a")).status_code == 404


async def test_a_missing_page_is_a_page_of_the_site_in_the_visitors_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    english = await client.get("/associations/nobody")
    assert english.status_code == 404
    assert english.headers["content-type"].startswith("text/html")
    assert "Page not found" in english.text
    assert '<a class="brand"' in english.text  # the site's layout, not a bare error
    french = await client.get("/associations/nobody", headers={"accept-language": "fr"})
    assert "Page introuvable" in french.text


async def test_organiser_html_is_sanitised_on_the_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(
        title="<script>alert('t')</script>",
        description="Hi <script>alert(1)</script> [x](javascript:alert(2))",
    )
    page = await client.get(f"/campaigns/{campaign.slug}")
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page.text
    assert 'href="javascript' not in page.text


async def test_every_page_carries_security_headers(client: httpx.AsyncClient, db: Database) -> None:
    for path in ("/", "/static/style.css", "/campaigns/missing"):
        response = await client.get(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "style=" not in (await client.get("/")).text  # the CSP forbids inline styles
