"""The Atom feed of campaigns and the .ics file of a physical action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import icalendar
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain import public_campaigns
from fedimob.domain.campaigns import cancel_campaign, edit_campaign
from fedimob.models import Campaign, CampaignKind
from tests.fedimob.factories import make_campaign
from tests.web.campaign_builders import fast_keys

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<script>alert('x')</script> & \"quotes\""


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_keys(monkeypatch)


def atom(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own output


async def action(**fields: Any) -> Campaign:
    start = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "slug": "cleanup",
        "title": "River clean-up",
        "summary": "Three hours on the banks.",
        "kind": CampaignKind.PHYSICAL,
        "address": "Quai de la Fosse, Nantes",
        "latitude": 47.2105,
        "longitude": -1.5656,
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "deadline": start - timedelta(days=1),
    }
    values.update(fields)
    return await make_campaign(**values)


async def test_the_feed_lists_published_campaigns_newest_first(
    client: httpx.AsyncClient, db: Database
) -> None:
    now = utcnow()
    await make_campaign(slug="older", title="Older", now=now - timedelta(days=2))
    await make_campaign(slug="newer", title="Newer", summary="Fresh", categories=["nature"])
    await make_campaign(slug="draft", title="A draft", publish=False)
    cancelled = await make_campaign(slug="off", title="Called off", now=now - timedelta(days=1))
    await cancel_campaign(cancelled)

    feed = atom(await client.get("/campaigns.atom"))

    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}id") == "https://fedimob.test/campaigns.atom"
    assert feed.findtext(f"{A}title") == "Campaigns on fedimob.test"
    assert feed.findtext(f"{A}updated")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {
        "self": "https://fedimob.test/campaigns.atom",
        "alternate": "https://fedimob.test/",
    }
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == ["Newer", "Cancelled: Called off", "Older"]
    newer = entries[0]
    assert newer.findtext(f"{A}id") == "https://fedimob.test/campaigns/newer"
    assert newer.find(f"{A}link").get("href") == "https://fedimob.test/campaigns/newer"  # type: ignore[union-attr]
    assert newer.findtext(f"{A}summary") == "Fresh"
    assert newer.findtext(f"{A}author/{A}name") == "Test association"
    assert newer.find(f"{A}category").get("term") == "nature"  # type: ignore[union-attr]
    for entry in entries:  # RFC 4287: every entry has these
        for tag in ("id", "title", "updated", "link", "author", "summary"):
            assert entry.find(f"{A}{tag}") is not None, tag
        datetime.fromisoformat(entry.findtext(f"{A}updated", "").replace("Z", "+00:00"))


async def test_an_edit_moves_an_entrys_updated_time(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(now=utcnow() - timedelta(days=3))
    await edit_campaign(campaign, title="Edited")
    [entry] = atom(await client.get("/campaigns.atom")).findall(f"{A}entry")
    assert entry.findtext(f"{A}title") == "Edited"
    assert entry.findtext(f"{A}updated") != entry.findtext(f"{A}published")


async def test_the_feed_keeps_fifty_entries(
    client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert public_campaigns.FEED_SIZE == 50
    monkeypatch.setattr(public_campaigns, "FEED_SIZE", 3)
    for _ in range(4):
        await make_campaign()
    assert len(atom(await client.get("/campaigns.atom")).findall(f"{A}entry")) == 3


async def test_an_empty_feed_is_still_valid(client: httpx.AsyncClient, db: Database) -> None:
    feed = atom(await client.get("/campaigns.atom"))
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated")


async def test_hostile_titles_are_escaped_in_the_feed(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(title=HOSTILE + "\x0b\x1b", summary="</summary><evil/>")
    response = await client.get("/campaigns.atom")
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    [entry] = atom(response).findall(f"{A}entry")  # control characters dropped: still XML
    assert entry.findtext(f"{A}title") == HOSTILE
    assert entry.findtext(f"{A}summary") == "</summary><evil/>"


async def test_the_feed_is_announced_in_the_pages(client: httpx.AsyncClient, db: Database) -> None:
    await make_campaign(slug="linked")
    for path in ("/", "/campaigns/linked"):
        page = (await client.get(path)).text
        assert '<link rel="alternate" type="application/atom+xml"' in page
        assert 'href="/campaigns.atom"' in page


def unfolded(body: bytes) -> list[str]:
    """The content lines of an iCalendar body (RFC 5545 3.1: CRLF, folded at 75 octets)."""
    assert body.endswith(b"\r\n")
    physical = body.split(b"\r\n")[:-1]
    for line in physical:
        assert len(line) <= 75, line
        assert b"\n" not in line
        assert b"\r" not in line
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


async def test_an_action_in_a_calendar(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await action()
    response = await client.get("/campaigns/cleanup.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="cleanup.ics"' in response.headers["content-disposition"]
    lines = unfolded(response.content)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-1] == "END:VCALENDAR"
    assert f"UID:campaign-{campaign.id}@fedimob.test" in lines
    assert "DTSTART:20300601T090000Z" in lines
    assert "DTEND:20300601T120000Z" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert "SUMMARY:River clean-up" in lines
    assert "LOCATION:Quai de la Fosse\\, Nantes" in lines
    assert "GEO:47.2105;-1.5656" in lines
    assert "URL:https://fedimob.test/campaigns/cleanup" in lines
    assert (
        "DESCRIPTION:Three hours on the banks.\\n\\nhttps://fedimob.test/campaigns/cleanup"
    ) in lines
    assert "STATUS:CONFIRMED" in lines
    # And a calendar program reads it back as it was meant.
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
    assert str(event["location"]) == "Quai de la Fosse, Nantes"


async def test_text_is_escaped_and_long_lines_folded(
    client: httpx.AsyncClient, db: Database
) -> None:
    title = "Clean; sweep, \\ and <script>alert(1)</script>\nATTENDEE:mailto:x@evil.example"
    await action(title=title[:200], address="Rue de l'Été; côté « quai », n° 3 " * 8, ends_at=None)
    body = (await client.get("/campaigns/cleanup.ics")).content
    lines = unfolded(body)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == (
        "SUMMARY:Clean\\; sweep\\, \\\\ and <script>alert(1)</script>\\n"
        "ATTENDEE:mailto:x@evil.example"
    )
    assert not any(line.startswith("ATTENDEE") for line in lines)  # no property smuggled in
    assert not any(line.startswith("DTEND") for line in lines)  # no end given, none made up
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["summary"]) == title.strip()
    assert str(event["location"]) == ("Rue de l'Été; côté « quai », n° 3 " * 8).strip()


async def test_a_cancelled_action_is_cancelled_in_calendars(
    client: httpx.AsyncClient, db: Database
) -> None:
    await cancel_campaign(await action())
    assert "STATUS:CANCELLED" in unfolded((await client.get("/campaigns/cleanup.ics")).content)


@pytest.mark.parametrize(
    "path", ["/campaigns/mails.ics", "/campaigns/draft.ics", "/campaigns/nope.ics"]
)
async def test_no_calendar_without_a_public_action(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    await make_campaign(slug="mails")  # digital
    await action(slug="draft", publish=False)
    response = await client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


async def test_a_campaign_named_like_a_calendar_keeps_its_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="meetup.ics", title="Named with a dot")
    page = await client.get("/campaigns/meetup.ics")
    assert page.status_code == 200
    assert "<h1>Named with a dot</h1>" in page.text
