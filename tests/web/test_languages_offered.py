"""The languages the admins offer are the only ones the site speaks and lets people choose."""

import re

import httpx
import pytest

from fedimob.db import Database
from fedimob.domain.accounts import get_account, set_language
from tests.web.admins import log_in_admin
from tests.web.forms import ORIGIN, log_in, make_user, submit
from tests.web.instance import set_profile
from web import i18n

SWITCHER = 'action="/language"'


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found
    return found.group(1)


def options_of(html: str, select_id: str) -> list[str]:
    select = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.parametrize(
    ("header", "offered", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", ("en",), "en"),
        ("en-GB,en;q=0.9", ("fr",), "fr"),
        ("de", ("fr",), "fr"),  # nothing matches: the only language offered
        ("de", ("en", "fr"), "en"),  # nothing matches: English, offered
        ("de-DE, fr;q=0.5, en;q=0.9", ("en", "fr"), "en"),
        ("de-DE, fr;q=0.5, en;q=0.9", ("fr",), "fr"),
        ("", ("fr",), "fr"),
        ("fr", ("fr", "xx"), "fr"),  # a code without a translation is never offered
        ("xx", ("xx",), "en"),
    ],
)
def test_negotiation_among_the_languages_offered(
    header: str, offered: tuple[str, ...], expected: str
) -> None:
    assert i18n.negotiate(header, offered) == expected


def test_supported_means_translated_and_offered() -> None:
    assert i18n.supported("fr", ("en", "fr")) == "fr"
    assert i18n.supported("fr", ("en",)) is None
    assert i18n.supported("xx", ("xx",)) is None
    assert i18n.supported(None, ("en",)) is None
    assert i18n.supported("fr") == "fr"  # every translated language, when nothing is said
    assert i18n.offered(["fr", "xx"]) == {"fr": "Français"}
    assert i18n.offered(["fr", "en"]) == {"en": "English", "fr": "Français"}


async def test_one_language_offered_is_spoken_whatever_the_browser_asks(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(languages=["fr"])
    for header in ("en-GB,en;q=0.9", "de", ""):
        page = (await client.get("/", headers={"accept-language": header})).text
        assert lang_of(page) == "fr", header
        assert "Découvrir" in page
        assert SWITCHER not in page  # nothing to switch to
    await set_profile(languages=["en"])
    page = (await client.get("/", headers={"accept-language": "fr-FR,fr"})).text
    assert lang_of(page) == "en"
    assert SWITCHER not in page


async def test_the_switcher_offers_only_the_languages_offered(
    client: httpx.AsyncClient, db: Database
) -> None:
    page = (await client.get("/")).text
    assert options_of(page, "language-choice") == ["en", "fr"]
    await set_profile(languages=["fr"])
    assert SWITCHER not in (await client.get("/")).text
    await set_profile(languages=["en", "fr"])
    assert options_of((await client.get("/")).text, "language-choice") == ["en", "fr"]


async def test_the_switcher_refuses_a_language_not_offered(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(languages=["en"])
    for code in ("fr", "de", "../fr", "fr" * 5000, ""):
        switched = await client.post(
            "/language", data={"language": code, "next": "/login"}, headers={"origin": ORIGIN}
        )
        assert switched.status_code == 303
        assert switched.headers["location"] == "/login"
        page = (await client.get("/", headers={"accept-language": "fr"})).text
        assert lang_of(page) == "en", code[:10]


async def test_a_choice_no_longer_offered_falls_back_to_the_browsers_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    chose = await client.post(
        "/language", data={"language": "fr", "next": "/"}, headers={"origin": ORIGIN}
    )
    assert chose.status_code == 303
    assert lang_of((await client.get("/", headers={"accept-language": "en"})).text) == "fr"
    await set_profile(languages=["en"])  # the admins stop offering French
    assert lang_of((await client.get("/", headers={"accept-language": "fr"})).text) == "en"
    await set_profile(languages=["en", "fr"])  # and offer it again: the choice was kept
    assert lang_of((await client.get("/", headers={"accept-language": "en"})).text) == "fr"


async def test_an_accounts_language_no_longer_offered_gives_way_to_negotiation(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    await set_language(alice, "fr")
    await set_profile(languages=["en"])
    await log_in(client)
    page = (await client.get("/account", headers={"accept-language": "fr"})).text
    assert lang_of(page) == "en"
    assert options_of(page, "account-language") == ["en"]
    assert (await get_account("alice")).language == "fr"  # kept, not rewritten
    await set_profile(languages=["en", "fr"])
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as laptop:
        await log_in(laptop)
        assert lang_of((await laptop.get("/account")).text) == "fr"


async def test_the_account_refuses_a_language_not_offered(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    assert (await get_account("alice")).language == "en"
    await set_profile(languages=["en"])
    await log_in(client)
    page = (await client.get("/account")).text
    assert options_of(page, "account-language") == ["en"]
    refused = await submit(client, "/account/language", {"language": "fr"}, page="/account")
    assert refused.status_code == 400
    assert 'class="error"' in refused.text
    assert (await get_account("alice")).language == "en"
    await set_profile(languages=["en", "fr"])
    accepted = await submit(client, "/account/language", {"language": "fr"}, page="/account")
    assert accepted.status_code == 303
    assert (await get_account("alice")).language == "fr"


async def test_someone_elses_language_choice_is_not_touched(
    client: httpx.AsyncClient, db: Database
) -> None:
    bob = await make_user("bob")
    await set_language(bob, "en")
    await make_user()
    await log_in(client)
    await submit(client, "/language", {"language": "fr", "next": "/"}, page="/")
    assert (await get_account("alice")).language == "fr"
    assert (await get_account("bob")).language == "en"


async def test_saving_the_languages_applies_to_the_next_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    await log_in_admin(client)
    saved = await submit(
        client,
        "/admin/settings",
        {"name": "fedimob", "description": "", "languages": "fr", "registrations": "open"},
        headers={"accept-language": "en"},
    )
    assert saved.status_code == 303
    page = (await client.get("/admin/settings", headers={"accept-language": "en"})).text
    assert lang_of(page) == "fr"
    assert SWITCHER not in page
