"""The instance's name and description, as admins set them, on every page."""

import re

import httpx

from fedimob.db import Database
from tests.fedimob.factories import make_campaign
from tests.web.admins import log_in_admin
from tests.web.forms import submit
from tests.web.instance import set_profile, title_of

DESCRIPTION = "Run by *Les Amis*.\n\n<script>alert(1)</script> [our site](https://amis.example)"


def brand_of(html: str) -> str:
    found = re.search(r'<a class="brand" href="/">(.*?)</a>', html)
    assert found, "no brand in the header"
    return found.group(1)


def site_names(html: str) -> list[str]:
    return re.findall(r'<meta property="og:site_name" content="([^"]*)">', html)


async def test_a_fresh_instance_is_called_fedimob(client: httpx.AsyncClient, db: Database) -> None:
    home = (await client.get("/")).text
    assert title_of(home) == "fedimob"
    assert brand_of(home) == "fedimob"
    assert site_names(home) == ["fedimob"]
    assert 'class="instance-about"' not in home  # no description yet
    assert title_of((await client.get("/login")).text) == "Log in · fedimob"


async def test_the_name_is_in_the_header_titles_and_previews(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(name="Nantes Solidaire", description=DESCRIPTION)
    campaign = await make_campaign(slug="river", title="River day")
    home = (await client.get("/")).text
    assert title_of(home) == "Nantes Solidaire"
    assert brand_of(home) == "Nantes Solidaire"
    assert site_names(home) == ["Nantes Solidaire"]
    assert "Nantes Solidaire (fedimob.test)" in home  # the footer
    assert "fedimob</" not in home
    page = (await client.get(f"/campaigns/{campaign.slug}")).text
    assert title_of(page) == "River day · Nantes Solidaire"
    assert site_names(page) == ["Nantes Solidaire"]  # once, not the domain as well
    widget = (await client.get(f"/campaigns/{campaign.slug}/widget")).text
    assert title_of(widget) == "River day · Nantes Solidaire"
    assert title_of((await client.get("/login")).text) == "Log in · Nantes Solidaire"
    missing = await client.get("/campaigns/nope")
    assert missing.status_code == 404
    assert title_of(missing.text) == "No such campaign · Nantes Solidaire"
    french = (await client.get("/", headers={"accept-language": "fr"})).text
    assert "Nantes Solidaire (fedimob.test) · un serveur" in french


async def test_only_the_fixed_name_at_the_end_of_a_title_gives_way(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(name="Nantes Solidaire")
    campaign = await make_campaign(slug="meta", title="Why fedimob · fedimob")
    page = (await client.get(f"/campaigns/{campaign.slug}")).text
    assert title_of(page) == "Why fedimob · fedimob · Nantes Solidaire"
    fish = await make_campaign(slug="fish", title="Fish & <chips>")
    page = (await client.get(f"/campaigns/{fish.slug}")).text
    assert title_of(page) == "Fish &amp; &lt;chips&gt; · Nantes Solidaire"  # escaped once


async def test_the_description_opens_the_home_page_sanitised(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(name="Nantes Solidaire", description=DESCRIPTION)
    home = (await client.get("/")).text
    about = home.split('<div class="instance-about">', 1)[1].split("</div>", 1)[0]
    assert "<em>Les Amis</em>" in about
    assert 'href="https://amis.example"' in about
    assert 'rel="nofollow noopener noreferrer"' in about
    assert "<script>" not in home
    assert home.index('class="instance-about"') < home.index('id="running"')
    # Searching or paging is not the landing page: the description stays out of the way.
    for path in ("/?q=river", "/?kind=digital", "/?page=2"):
        assert 'class="instance-about"' not in (await client.get(path)).text, path
    # Nor is it on the other pages.
    assert 'class="instance-about"' not in (await client.get("/login")).text


async def test_a_hostile_name_is_shown_as_text(client: httpx.AsyncClient, db: Database) -> None:
    await set_profile(name='<script>alert("x")</script> & Co')
    home = (await client.get("/")).text
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"
    assert title_of(home) == escaped
    assert brand_of(home) == escaped
    assert site_names(home) == [escaped]
    assert "<script>" not in home
    login = (await client.get("/login")).text
    assert title_of(login) == f"Log in · {escaped}"


async def test_a_saved_name_shows_on_the_next_page(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_admin(client)
    assert brand_of((await client.get("/")).text) == "fedimob"
    saved = await submit(
        client,
        "/admin/settings",
        {"name": "Les Amis", "description": "", "languages": "en", "registrations": "open"},
    )
    assert saved.status_code == 303
    admin_page = (await client.get("/admin/settings")).text
    assert title_of(admin_page) == "Instance settings · Admin · Les Amis"
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as visitor:
        assert brand_of((await visitor.get("/")).text) == "Les Amis"
