import asyncio
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.domain.accounts import get_account
from fedimob.settings import Settings
from tests.web.forms import ORIGIN, log_in, make_user, submit
from web import i18n

WEB = Path(i18n.__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_msgids() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, METHODS, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        found.add(tuple(message) if isinstance(message, tuple) else message)  # type: ignore[arg-type]
    return found


def french_catalogue() -> dict[object, object]:
    """Every French file merged (messages.po, then one per area of the site)."""
    merged: dict[object, object] = {}
    for path in i18n.po_files(WEB / "translations/fr/LC_MESSAGES"):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="fr")
        merged.update({m.id: m.string for m in catalog if m.id and not m.fuzzy})
    return merged


def test_every_string_of_the_pages_has_a_french_translation() -> None:
    used = used_msgids()
    assert len(used) > 50  # the extractor really read the templates
    french = french_catalogue()
    missing = sorted(str(msgid) for msgid in used if not french.get(msgid))
    assert not missing, f"add these to web/translations/fr (make i18n): {missing}"
    for msgid, translated in french.items():
        forms = translated if isinstance(translated, tuple) else (translated,)
        source = " ".join(msgid) if isinstance(msgid, tuple) else str(msgid)
        for form in forms:
            # A translation must use exactly the placeholders of its source.
            assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(source)), msgid


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, fr;q=0.5, en;q=0.4", "fr"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("de", "en"),
        ("", "en"),
        ("fr;q=nonsense, *", "en"),
    ],
)
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_filters_follow_the_locale() -> None:
    catalogues = i18n.Catalogues()
    with i18n.use_locale(catalogues.active("fr")):
        assert i18n.number(1234.5) == "1\u202f234,5"
        assert i18n.duration(90) == "1\u202fh 30\xa0min"  # narrow and no-break spaces
        assert i18n.when("2026-12-05T09:00:00Z") == "5 déc. 2026, 09:00 UTC"
        assert i18n.gettext("Log in") == "Se connecter"
    with i18n.use_locale(catalogues.active("en")):
        assert i18n.number(1234.5) == "1,234.5"
        assert i18n.number(12) == "12"
        assert i18n.duration(45) == "45 min"
        assert i18n.duration(240) == "4 hr"
        assert i18n.when("2026-12-05T09:00:00Z") == "Dec 5, 2026, 09:00 UTC"
    assert i18n.gettext("Log in") == "Log in"  # outside a request: the source text


def test_kept_answers_are_kept_per_language_and_zone() -> None:
    """The filters remember recent answers: never one language's or zone's for another."""
    catalogues = i18n.Catalogues()
    moment = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    expected = {
        ("en", "UTC"): ("1,234.5", "Dec 5, 2026, 09:00 UTC", "Dec 5, 2026"),
        ("fr", "UTC"): ("1\u202f234,5", "5 déc. 2026, 09:00 UTC", "5 déc. 2026"),
        ("en", "Europe/Paris"): ("1,234.5", "Dec 5, 2026, 10:00 CET", "Dec 5, 2026"),
        ("en", "Pacific/Honolulu"): ("1,234.5", "Dec 4, 2026, 23:00 HST", "Dec 4, 2026"),
    }
    for _round in range(2):  # the second round reads what the first one kept
        for (code, zone), (figure, moment_text, day_text) in expected.items():
            with i18n.use_locale(catalogues.active(code, zone)):
                assert i18n.number(1234.5) == figure
                assert i18n.when(moment) == moment_text
                assert i18n.day(moment) == day_text


def test_the_two_moments_of_a_repeated_hour_are_kept_apart() -> None:
    """02:30 on 31 October 2027 in Paris, twice: equal datetimes, an hour apart."""
    paris = ZoneInfo("Europe/Paris")
    first = datetime(2027, 10, 31, 2, 30, tzinfo=paris)
    second = first.replace(fold=1)
    assert first == second  # what made a cache keyed on the value mix them up
    with i18n.use_locale(i18n.Catalogues().active("en")):
        assert i18n.when(first) == "Oct 31, 2027, 00:30 UTC"
        assert i18n.when(second) == "Oct 31, 2027, 01:30 UTC"


def test_figures_too_large_for_babel_are_written_plainly() -> None:
    """A remote campaign's claimed impact, or a factor times a total, never fails a page."""
    with i18n.use_locale(i18n.Catalogues().active("en")):
        assert i18n.number(1e308) == "1e+308"
        assert i18n.number(Decimal("1e40")) == "1e+40"
        assert i18n.percent(1e300) == "1e+300%"
        assert i18n.number(1e20) == "100,000,000,000,000,000,000"  # within range: formatted


async def test_french_by_accept_language(client: httpx.AsyncClient, settings: Settings) -> None:
    await load_demo(settings)
    page = await client.get("/campaigns/loire_cleanup", headers={"accept-language": "fr-FR,fr"})
    assert '<html lang="fr">' in page.text
    assert "sur 40 personnes" in page.text
    assert "Se connecter" in page.text
    english = await client.get("/campaigns/loire_cleanup")
    assert '<html lang="en">' in english.text
    assert "of 40 people" in english.text


async def test_switcher_stores_the_choice_in_the_session(
    client: httpx.AsyncClient, db: Database
) -> None:
    switched = await client.post(
        "/language",
        data={"language": "fr", "next": "/login"},
        headers={"origin": ORIGIN, "accept-language": "en"},
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/login"
    page = await client.get("/", headers={"accept-language": "en"})
    assert '<html lang="fr">' in page.text
    assert "Découvrir" in page.text
    back = await submit(client, "/language", {"language": "en", "next": "//evil.example"}, page="/")
    assert back.headers["location"] == "/"  # never off-site
    assert '<html lang="en">' in (await client.get("/")).text


async def test_switcher_remembers_a_logged_in_persons_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await log_in(client)
    await submit(client, "/language", {"language": "fr", "next": "/account"}, page="/account")
    assert (await get_account("alice")).language == "fr"
    # A new browser: the account's language is used without asking again.
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as laptop:
        await log_in(laptop)
        assert "Votre compte" in (await laptop.get("/account")).text


async def test_concurrent_requests_keep_their_own_language(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    languages = ["fr", "en"] * 10
    pages = await asyncio.gather(
        *(client.get("/", headers={"accept-language": code}) for code in languages)
    )
    for code, page in zip(languages, pages, strict=True):
        assert f'<html lang="{code}">' in page.text
        assert ("Campagnes" in page.text) == (code == "fr")
