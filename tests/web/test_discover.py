"""The discover page (`/`): ours and followed instances' campaigns, filters, pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.associations import create_association
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.catalogue import (
    MAX_PAGE,
    MAX_TEXT,
    PER_PAGE,
    Order,
    browse,
    catalogue_query,
)
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import join
from fedimob.models import Campaign, CampaignKind, JoinVia
from tests.fedimob.factories import make_account, make_actor, make_association, make_campaign
from tests.web.campaign_builders import fast_keys, remote_campaign
from tests.web.forms import log_in, make_user

_TITLES = re.compile(r"<h3>(?:<a [^>]*>)?([^<]*)(?:</a>)?</h3>")


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_keys(monkeypatch)


def running_titles(html: str) -> list[str]:
    """The card titles of the "running" section, in page order."""
    section = html.split('<section aria-labelledby="running">', 1)[1].split("</section>", 1)[0]
    return _TITLES.findall(section)


async def physical(title: str, **fields: Any) -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "kind": CampaignKind.PHYSICAL,
        "address": "Quai de la Fosse, Nantes",
        "starts_at": now + timedelta(days=8),
    }
    values.update(fields)
    await make_campaign(title=title, **values)


async def test_running_campaigns_here_and_elsewhere_in_deadline_order(
    client: httpx.AsyncClient, db: Database
) -> None:
    now = utcnow()
    await make_campaign(title="Second", deadline=now + timedelta(days=2))
    await make_campaign(title="Fourth", deadline=now + timedelta(days=9))
    await remote_campaign(title="First, from afar", deadline=now + timedelta(days=1))
    await remote_campaign(title="Third, from afar", deadline=now + timedelta(days=4))
    await make_campaign(title="A draft", publish=False)
    cancelled = await make_campaign(title="A cancelled one")
    await cancel_campaign(cancelled)
    await remote_campaign(title="Deleted at home", deleted_at=now)
    await remote_campaign(title="Over elsewhere", deadline=now - timedelta(hours=1))

    page = await client.get("/")

    assert page.status_code == 200
    assert running_titles(page.text) == ["First, from afar", "Second", "Third, from afar", "Fourth"]
    assert "Ends in 1 day" in page.text
    assert "On other.example" in page.text
    assert "set-cookie" not in page.headers  # an anonymous visit stores no session
    assert 'type="application/atom+xml"' in page.text


async def test_a_remote_campaign_is_escaped_and_linked_with_care(
    client: httpx.AsyncClient, db: Database
) -> None:
    await remote_campaign(
        title='<img src=x onerror="alert(1)"><b>Big</b>',
        url="javascript:alert(1)",
        ap_id="https://evil.example/e/1",
    )
    page = await client.get("/")
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&lt;b&gt;Big&lt;/b&gt;" in page.text
    assert "javascript:" not in page.text
    assert 'href="https://evil.example/e/1" rel="nofollow noopener noreferrer"' in page.text


async def test_a_logged_in_visitor_can_join_a_remote_campaign_from_the_list(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(title="Ours")
    await remote_campaign(title="Theirs", ap_id="https://other.example/events/1")
    await make_user()
    await log_in(client)
    page = await client.get("/")
    assert page.status_code == 200
    assert running_titles(page.text) == ["Theirs", "Ours"]
    assert 'action="/remote-campaigns/join"' in page.text
    assert 'value="https://other.example/events/1"' in page.text
    assert "Log out" in page.text


async def test_empty_states(client: httpx.AsyncClient, db: Database) -> None:
    assert "No campaign yet." in (await client.get("/")).text
    await make_campaign(title="Litter picking")
    missed = await client.get("/?q=nothing+like+this")
    assert missed.status_code == 200
    assert "No running campaign matches your search." in missed.text
    assert "Litter picking" not in missed.text


async def test_search_is_case_insensitive_on_title_and_summary_and_literal(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(title="River CLEAN-UP")
    await make_campaign(title="Mailbox", summary="Delete old e-mails: 100% lighter")
    await make_campaign(title="Hedges")
    await remote_campaign(title="Clean-up elsewhere")

    assert running_titles((await client.get("/?q=clean-up")).text) == [
        "Clean-up elsewhere",  # its deadline is the nearest
        "River CLEAN-UP",
    ]
    assert running_titles((await client.get("/?q=E-MAILS")).text) == ["Mailbox"]
    # LIKE wildcards are literal characters: % matches only a real percent sign.
    assert running_titles((await client.get("/?q=%25")).text) == ["Mailbox"]
    assert running_titles((await client.get("/?q=_")).text) == []


async def test_search_folds_case_and_accents_on_every_word_of_a_campaign(
    client: httpx.AsyncClient, db: Database
) -> None:
    etang = await create_association(
        username="etang", name="Les Amis de l'Étang", owner=await make_account()
    )
    await make_campaign(title="École buissonnière")
    await make_campaign(etang, title="Pond life")
    await physical("Hedges", address="Forêt de Sillé")
    await make_campaign(title="Birds", categories=["Écologie"])
    await make_campaign(title="Cœur de ville")
    await remote_campaign(title="ÉCOLE du dehors", summary_html="<p>Une journée à l'orée</p>")

    async def titles(q: str) -> list[str]:
        page = await client.get("/", params={"q": q})
        assert page.status_code == 200
        return sorted(running_titles(page.text))

    both = ["ÉCOLE du dehors", "École buissonnière"]
    assert await titles("ecole") == both
    assert await titles("École") == both
    assert await titles("ÉCOLE") == both
    assert await titles("eCoLe") == both
    assert await titles("ecole buissonniere") == ["École buissonnière"]
    assert await titles("buissonnière école") == ["École buissonnière"]  # any word order
    assert await titles("oree") == ["ÉCOLE du dehors"]  # in a remote summary
    assert await titles("etang") == ["Pond life"]  # the association's name
    assert await titles("foret sille") == ["Hedges"]  # the place
    assert await titles("ecologie") == ["Birds"]  # a category
    assert await titles("coeur") == ["Cœur de ville"]  # a ligature typed as two letters


async def test_search_wildcards_are_literal_and_oversized_queries_are_cut(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(title="snake_case and 50% off")
    await make_campaign(title="Plain")
    await remote_campaign(title="Remote plain")

    async def titles(q: str) -> list[str]:
        page = await client.get("/", params={"q": q})
        assert page.status_code == 200
        return running_titles(page.text)

    assert await titles("%") == ["snake_case and 50% off"]
    assert await titles("%%") == []
    assert await titles("_") == ["snake_case and 50% off"]
    assert await titles("e_c") == ["snake_case and 50% off"]
    assert await titles("a%o") == []
    assert await titles("\\") == []
    assert await titles("'; DROP TABLE campaign; --") == []
    assert len(await titles("")) == 3

    huge = await client.get("/", params={"q": "plain " + "é" * 8_000})
    assert huge.status_code == 200
    assert "é" * (MAX_TEXT + 1) not in huge.text  # the query was cut, then searched
    assert running_titles(huge.text) == []
    many_words = " ".join(["plain"] + [f"x{n}" for n in range(500)])
    assert await titles(many_words[:5000]) == []  # every kept word must appear


async def test_filters_by_kind_category_and_place(client: httpx.AsyncClient, db: Database) -> None:
    loire = await make_association(username="loire")
    loire.region = "Pays de la Loire"
    await loire.save()
    await physical("Clean-up", categories=["nature", "Écologie"])
    await physical("Hedges in Clisson", address="Ferme du Bocage, Clisson", categories=["nature"])
    await make_campaign(loire, title="Count birds online", categories=["birds"])
    await remote_campaign(title="Remote one")

    async def titles(query: str) -> list[str]:
        page = await client.get(f"/?{query}")
        assert page.status_code == 200
        return sorted(running_titles(page.text))

    assert await titles("kind=physical") == ["Clean-up", "Hedges in Clisson"]
    assert await titles("kind=digital") == ["Count birds online"]
    assert await titles("category=nature") == ["Clean-up", "Hedges in Clisson"]
    assert await titles("category=%C3%A9cologie") == ["Clean-up"]  # stored lower-case
    assert await titles("category=natur") == []  # a whole category, not a part of one
    assert await titles("place=nantes") == ["Clean-up"]
    assert await titles("place=loire") == ["Count birds online"]  # the association's region
    assert await titles("kind=physical&place=clisson") == ["Hedges in Clisson"]
    # Remote copies know no kind, category or place: a filter on those leaves them out.
    assert "Remote one" not in await titles("place=e")
    assert "Remote one" in await titles("")
    page = await client.get("/?category=nature")
    assert '<option value="nature" selected>nature</option>' in page.text
    assert 'href="/?category=birds"' in (await client.get("/")).text  # a card links its tags


async def test_the_category_choices_cover_every_running_campaign(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Also when they do not fit on the first page (another query reads them then)."""
    now = utcnow()
    for day in range(1, PER_PAGE + 2):
        await make_campaign(deadline=now + timedelta(days=day), categories=[f"topic{day}"])
    choices = re.findall(r'<option value="(topic\d+)"', (await client.get("/")).text)
    assert sorted(choices) == sorted(f"topic{day}" for day in range(1, PER_PAGE + 2))
    assert len(running_titles((await client.get("/")).text)) == PER_PAGE


async def test_newest_order(client: httpx.AsyncClient, db: Database) -> None:
    now = utcnow()
    await make_campaign(title="Old", now=now - timedelta(days=3), deadline=now + timedelta(days=1))
    await make_campaign(title="New", now=now - timedelta(days=1), deadline=now + timedelta(days=9))
    # Published two days ago at home, fetched a moment ago: its publication is what counts.
    await remote_campaign(title="Published before", published_at=now - timedelta(days=2))
    await remote_campaign(title="Published long ago", published_at=now - timedelta(days=30))
    assert running_titles((await client.get("/?order=newest")).text) == [
        "New",
        "Published before",
        "Old",
        "Published long ago",
    ]
    assert running_titles((await client.get("/?order=ending")).text)[0] == "Old"


async def test_pages_of_twelve_with_links_that_keep_the_filters(
    client: httpx.AsyncClient, db: Database
) -> None:
    now = utcnow()
    for day in range(1, 15):
        await make_campaign(title=f"Local {day:02}", deadline=now + timedelta(days=day, hours=1))
    for day in (3, 20):
        await remote_campaign(title=f"Remote {day:02}", deadline=now + timedelta(days=day))

    first = await client.get("/?q=o")
    assert len(running_titles(first.text)) == PER_PAGE
    assert running_titles(first.text)[:4] == ["Local 01", "Local 02", "Remote 03", "Local 03"]
    assert 'rel="next" href="/?q=o&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text

    second = await client.get("/?q=o&page=2")
    assert running_titles(second.text) == ["Local 12", "Local 13", "Local 14", "Remote 20"]
    assert 'rel="prev" href="/?q=o"' in second.text
    assert 'rel="next"' not in second.text
    assert "Page 2" in second.text
    # Every card of both pages, once.
    seen = running_titles(first.text) + running_titles(second.text)
    assert len(seen) == len(set(seen)) == 16


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=abc",
        "page=1.5",
        "page=%EF%BC%92",  # a full-width digit
        f"page={10**9}",
        f"page={10**400}",
        "kind=volcanic",
        "order=random",
        "category=%00%0a",
        "place=%00",
        "q=" + "x" * 60_000,
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=%ff%fe",
        "kind=physical&kind=digital&page=2&page=3",
    ],
)
async def test_any_parameter_gives_a_page_never_an_error(
    client: httpx.AsyncClient, db: Database, query: str
) -> None:
    await make_campaign(title="Something")
    page = await client.get(f"/?{query}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "x" * 101 not in page.text  # the search is capped, even in the form's value


async def test_a_page_past_the_end_says_so(client: httpx.AsyncClient, db: Database) -> None:
    await make_campaign(title="Only one")
    page = await client.get(f"/?page={10**9}")
    assert page.status_code == 200
    assert "No campaign on this page." in page.text
    assert 'href="/">Back to the first page' in page.text
    assert running_titles(page.text) == []


async def test_ended_campaigns_on_the_first_unfiltered_page_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    past = utcnow() - timedelta(days=10)
    done = await make_campaign(title="Done already", now=past, deadline=past + timedelta(days=1))
    await join(done, await make_actor(), via=JoinVia.WEB, pledge_minutes=60, now=past)
    await end_if_due(done.id)
    assert "Done already" in (await client.get("/")).text
    assert "Done already" not in (await client.get("/?q=done")).text


async def test_french(client: httpx.AsyncClient, db: Database) -> None:
    await make_campaign(title="Something", deadline=utcnow() + timedelta(days=3, hours=1))
    page = await client.get("/", headers={"accept-language": "fr"})
    assert "Se termine dans 3 jours" in page.text
    assert "Bientôt terminées" in page.text


def test_queries_are_normalised() -> None:
    query = catalogue_query(
        text="  River\x00  clean\n up ", kind="physical", category=" Nature ", order="newest"
    )
    assert query.text == "River clean up"
    assert query.kind == CampaignKind.PHYSICAL
    assert query.category == "nature"
    assert query.order == Order.NEWEST
    assert catalogue_query(page="7").page == 7
    assert catalogue_query(page=str(MAX_PAGE + 1)).page == MAX_PAGE
    assert catalogue_query(page="-3").page == 1
    assert catalogue_query(page="٣").page == 1  # an Arabic-Indic digit is not ours
    assert catalogue_query(kind="both", order="best") == catalogue_query()


async def test_a_page_reads_few_queries_whatever_its_length(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No N+1: a page of twelve campaigns costs as many queries as a page of one."""
    client_class = type(Campaign._meta.db)
    counted: list[str] = []

    def count_queries() -> None:
        for name in ("execute_query", "execute_query_dict"):
            original = getattr(client_class, name)

            async def counting(self: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
                counted.append(str(args[0])[:60])
                return await _original(self, *args, **kw)

            monkeypatch.setattr(client_class, name, counting)

    async def queries_for_two_pages() -> int:
        counted.clear()
        await browse(catalogue_query())
        await browse(catalogue_query(page="2"))
        return len(counted)

    await make_campaign()
    await remote_campaign()
    count_queries()
    few = await queries_for_two_pages()
    monkeypatch.undo()
    fast_keys(monkeypatch)
    for _ in range(30):
        await make_campaign()
        await remote_campaign()
    count_queries()
    many = await queries_for_two_pages()
    assert few >= 3  # the counting works
    assert many <= few + 2  # page 2 now has rows of both tables to read: one query each
