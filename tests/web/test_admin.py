"""The admin pages: who may see them, the overview, and the instance settings."""

import httpx
import pytest

from fedimob.db import Database
from fedimob.domain.instance_profile import instance_profile
from fedimob.models import InstanceSetting, Job
from tests.fedimob.factories import make_campaign
from tests.web.admins import ADMIN_FORMS, ADMIN_PAGES, log_in_admin, log_in_volunteer
from tests.web.forms import ORIGIN, csrf_from, submit

SETTINGS = {
    "name": "Nantes Solidaire",
    "description": "Run by *Les Amis*.\n\n<script>alert(1)</script> [site](https://amis.example)",
    "languages": "fr",
    "registrations": "open",
    "time_zone": "Europe/Paris",
}


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_visitors_are_sent_to_log_in(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_people_who_are_not_admins_get_403(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    await log_in_volunteer(client)
    response = await client.get(path)
    assert response.status_code == 403
    assert "Admins only" in response.text


@pytest.mark.parametrize("path", ADMIN_PAGES)
async def test_admins_see_every_page_in_english_and_french(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    await log_in_admin(client)
    english = await client.get(path)
    assert english.status_code == 200
    assert 'aria-current="page"' in english.text
    await submit(client, "/language", {"language": "fr", "next": path}, page=path)
    french = await client.get(path)
    assert french.status_code == 200
    assert "Signalements" in french.text  # the admin menu, translated


@pytest.mark.parametrize(("path", "data"), ADMIN_FORMS)
async def test_forms_posted_by_someone_not_admin_change_nothing(
    client: httpx.AsyncClient, db: Database, path: str, data: dict[str, str]
) -> None:
    await log_in_volunteer(client)
    response = await submit(client, path, data, page="/account")
    assert response.status_code == 403
    assert not await InstanceSetting.exists()
    assert not await Job.exists()
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as visitor:
        response = await visitor.post(path, data=data, headers={"origin": ORIGIN})
        assert response.status_code == 403  # no session, no token


@pytest.mark.parametrize(("path", "data"), ADMIN_FORMS)
async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, db: Database, path: str, data: dict[str, str]
) -> None:
    await log_in_admin(client)
    response = await client.post(path, data=data, headers={"origin": ORIGIN})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    token = csrf_from((await client.get("/admin")).text)
    response = await client.post(
        path, data={**data, "csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert not await InstanceSetting.exists()
    assert not await Job.exists()


async def test_the_menu_shows_admin_to_admins_only(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_volunteer(client)
    assert 'href="/admin"' not in (await client.get("/")).text
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as other:
        await log_in_admin(other)
        assert 'href="/admin"' in (await other.get("/")).text


async def test_the_overview_counts_what_matters(client: httpx.AsyncClient, db: Database) -> None:
    await make_campaign()
    await log_in_admin(client)
    page = await client.get("/admin")
    assert page.status_code == 200
    for link in ("/admin/settings", "/admin/blocks", "/admin/reports", "/admin/regions",
                 "/admin/health"):  # fmt: skip
        assert f'href="{link}"' in page.text
    assert "campaigns running" in page.text
    figures = page.text.split('class="figure">')[1:]
    assert [figure.split("<", 1)[0] for figure in figures][:2] == ["2", "1"]  # owner + admin


async def test_settings_are_saved_and_the_description_sanitised(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    response = await submit(client, "/admin/settings", SETTINGS)
    assert response.status_code == 303
    page = await client.get("/admin/settings")
    assert "The instance settings are saved." in page.text
    assert 'value="Nantes Solidaire"' in page.text
    profile = await instance_profile()
    assert (profile.name, profile.languages, profile.registrations_open, profile.time_zone) == (
        "Nantes Solidaire",
        ("fr",),
        True,
        "Europe/Paris",
    )
    assert "<option selected>Europe/Paris</option>" in page.text
    assert "<em>Les Amis</em>" in profile.description_html
    assert "<script>" not in profile.description_html
    assert 'rel="nofollow noopener noreferrer"' in profile.description_html


async def test_closing_registrations_closes_the_sign_up_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    closed = {**SETTINGS, "registrations": "closed", "languages": "en"}
    assert (await submit(client, "/admin/settings", closed)).status_code == 303
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as visitor:
        assert (await visitor.get("/signup")).status_code == 403
    reopened = {**SETTINGS, "registrations": "open"}
    assert (await submit(client, "/admin/settings", reopened)).status_code == 303
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as visitor:
        assert (await visitor.get("/signup")).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Give the instance a name of 1 to 100 characters."),
        ({"name": "   "}, "Give the instance a name of 1 to 100 characters."),
        ({"name": "n" * 10_000}, "Give the instance a name of 1 to 100 characters."),
        ({"description": "d" * 10_000}, "The description can have 4,000 characters at most"),
        # Control characters are dropped from every form (web/forms.py): nothing is left.
        ({"name": "\x07\x00\x1b"}, "Give the instance a name of 1 to 100 characters."),
        ({"languages": "de"}, "Offer at least one of the languages."),
        ({"languages": ""}, "Offer at least one of the languages."),
        ({"registrations": "maybe"}, "Choose whether registrations are open or closed."),
        ({"registrations": ""}, "Choose whether registrations are open or closed."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"time_zone": "../../../../etc/passwd"}, "Choose a time zone from the list."),
        ({"time_zone": "Europe/" + "P" * 10_000}, "Choose a time zone from the list."),
        ({"time_zone": "EST5EDT"}, "Choose a time zone from the list."),  # names no place
        ({"time_zone": ""}, "Choose a time zone from the list."),
    ],
)
async def test_invalid_settings_are_explained_and_not_saved(
    client: httpx.AsyncClient, db: Database, change: dict[str, str], message: str
) -> None:
    await log_in_admin(client)
    response = await submit(client, "/admin/settings", {**SETTINGS, **change})
    assert response.status_code == 400
    assert message in response.text
    assert 'class="error"' in response.text
    assert not await InstanceSetting.exists()


async def test_a_form_from_before_time_zones_keeps_the_zone(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    assert (await submit(client, "/admin/settings", SETTINGS)).status_code == 303
    older = {key: value for key, value in SETTINGS.items() if key != "time_zone"}
    renamed = {**older, "name": "Nantes Solidarité"}
    assert (await submit(client, "/admin/settings", renamed)).status_code == 303
    profile = await instance_profile()
    assert (profile.name, profile.time_zone) == ("Nantes Solidarité", "Europe/Paris")


async def test_no_language_ticked_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_admin(client)
    without = {key: value for key, value in SETTINGS.items() if key != "languages"}
    response = await submit(client, "/admin/settings", without)
    assert response.status_code == 400
    assert "Offer at least one of the languages." in response.text
