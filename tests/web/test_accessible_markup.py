"""What assistive technology reads: names, descriptions and landmarks that say one thing each."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import httpx

from activitypub.retry import HostHealth, record_failure
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.jobs.queue import enqueue
from fedimob.models import RemoteHost
from fedimob.settings import Settings
from tests.web.admins import log_in_admin
from tests.web.forms import submit
from tests.web.organisers import organiser
from web import i18n

NEW = "/dashboard/campaigns/new?association=amis"
NBSP = "\xa0"
RSQUO = "\u2019"


class Markup(HTMLParser):
    """Each element's attributes by id, and each label's text by the id it is for."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict[str, str]] = {}
        self.labels: dict[str, str] = {}
        self.regions: list[dict[str, str]] = []
        self._label_for: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        attributes["<tag>"] = tag
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes
        if attributes.get("role") == "region" or (
            tag == "section" and ("aria-label" in attributes or "aria-labelledby" in attributes)
        ):
            self.regions.append(attributes)
        if tag == "label" and "for" in attributes:
            self._label_for, self._text = attributes["for"], []

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = " ".join("".join(self._text).split())
            self._label_for = None

    def text_of(self, element_id: str, html: str) -> str:
        start = html.index(f'id="{element_id}"')
        return html[html.index(">", start) + 1 : html.index("<", start)].strip()

    def region_names(self, html: str) -> list[str]:
        names = []
        for region in self.regions:
            if "aria-label" in region:
                names.append(region["aria-label"])
            else:
                names.append(
                    " ".join(self.text_of(part, html) for part in region["aria-labelledby"].split())
                )
        return names


def test_the_percent_filter_follows_the_locale() -> None:
    catalogues = i18n.Catalogues()
    with i18n.use_locale(catalogues.active("en")):
        assert [i18n.percent(n) for n in (0, 35, 100, 140, 1234)] == [
            "0%", "35%", "100%", "140%", "1,234%"
        ]  # fmt: skip
    with i18n.use_locale(catalogues.active("fr")):
        assert i18n.percent(35) == f"35{NBSP}%"
        assert i18n.percent(1234) == f"1\u202f234{NBSP}%"


async def test_the_percentage_is_written_the_way_each_language_writes_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    for path in ("/campaigns/loire_cleanup", "/"):
        english = (await client.get(path, headers={"accept-language": "en"})).text
        assert 'aria-label="35% of the goal">35%</progress>' in english, path
        assert "· 35%" in english
        french = (await client.get(path, headers={"accept-language": "fr"})).text
        assert f'aria-label="35{NBSP}% de l{RSQUO}objectif">35{NBSP}%</progress>' in french, path
        assert f"· 35{NBSP}%" in french
        assert "35%" not in french


async def test_each_conversion_field_has_a_name_of_its_own(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    page = (await client.get(NEW)).text
    markup = Markup(page)
    names = [
        markup.labels[field_id]
        for field_id in markup.labels
        if field_id.startswith("f-conversion-")
    ]
    assert len(names) >= 8  # two rows or more, four fields each
    assert "Quantity (conversion 1)" in names
    assert "Source (URL) (conversion 2)" in names
    assert [name for name, seen in Counter(names).items() if seen > 1] == []
    french = Markup((await client.get(NEW, headers={"accept-language": "fr"})).text)
    assert "(conversion 2)" in french.labels["f-conversion-1-unit"]


def campaign_form(**changes: str) -> dict[str, str]:
    deadline = (utcnow() + timedelta(days=15)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "River", "slug": "river", "summary": "", "description": "",
            "kind": "digital", "goal_kind": "participants", "goal_target": "10",
            "pledge_options": "60", "join_mode": "free", "deadline": deadline,
            "action": "save"}  # fmt: skip
    return form | changes


async def test_a_fields_error_and_hint_are_both_read(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    # An input (_forms.html), then a textarea (organiser/_fields.html), each with a hint.
    for name, bad in (("slug", "No Spaces!"), ("summary", "s" * 501)):
        refused = await submit(client, NEW, campaign_form(**{name: bad}))
        assert refused.status_code == 400, name
        markup = Markup(refused.text)
        field = markup.by_id[f"f-{name}"]
        assert field["aria-invalid"] == "true"
        assert field["aria-describedby"].split() == [f"f-{name}-error", f"f-{name}-hint"]
        assert markup.by_id[f"f-{name}-error"]["class"] == "error"
        assert markup.by_id[f"f-{name}-hint"]["class"] == "hint"
        # The other fields: the hint alone, or nothing.
        assert markup.by_id["f-categories"]["aria-describedby"] == "f-categories-hint"
        assert "aria-invalid" not in markup.by_id["f-categories"]
        assert "aria-describedby" not in markup.by_id["f-title"]
    saved = await submit(client, NEW, campaign_form())
    assert saved.status_code == 303  # the form above was wrong only where it was meant to be


async def test_an_admin_forms_error_keeps_its_hint(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_admin(client)
    refused = await submit(client, "/admin/blocks", {"domain": "http://x/y", "reason": ""})
    assert refused.status_code == 400
    field = Markup(refused.text).by_id["f-domain"]
    assert field["aria-describedby"].split() == ["f-domain-error", "f-domain-hint"]


async def test_the_health_pages_regions_have_names_of_their_own(
    client: httpx.AsyncClient, db: Database
) -> None:
    health = HostHealth()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for day in range(7):
        health = record_failure(health, start + timedelta(days=day))
    await RemoteHost.create(domain="down.example", health=health.to_dict())
    await enqueue("campaign.deadline", {"campaign_id": 1}, run_at=utcnow() - timedelta(minutes=5))
    await log_in_admin(client)
    page = (await client.get("/admin/health")).text
    # One region per scrolling table, named by its heading; the sections around them are
    # not landmarks of the same name again.
    assert Markup(page).region_names(page) == ["Servers failing", "Job queue"]
