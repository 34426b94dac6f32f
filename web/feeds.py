"""Feeds for readers and calendars: the Atom feed of campaigns, an .ics file per action.

- `/campaigns.atom`: the latest campaigns published (RFC 4287), built as an
  element tree so every value is XML-escaped; characters XML 1.0 cannot carry
  are dropped.
- `/campaigns/{slug}.ics`: a physical action as one VEVENT (RFC 5545), times
  in UTC; the `icalendar` library escapes text and folds lines at 75 octets.
  A digital campaign has no time or place to put in a calendar: 404.
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

import icalendar
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.public_campaigns import feed_campaigns, public_campaign
from fedimob.domain.summaries import campaign_path
from fedimob.errors import NotFound
from fedimob.models import Campaign, CampaignKind, CampaignState
from fedimob.settings import Settings
from web import i18n
from web.campaign_page import campaign_page
from web.endpoints import refuse

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//fedimob//campaigns//EN"
# Neither XML 1.0 nor iCalendar text may carry these (tab and newline aside).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    return _CONTROL.sub("", text)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _updated(campaign: Campaign) -> datetime:
    moments = [
        campaign.published_at,
        campaign.edited_at,
        campaign.ended_at,
        campaign.cancelled_at,
    ]
    return max(moment for moment in moments if moment is not None)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = printable(text)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "type": kind, "href": href})


def atom_feed(campaigns: list[Campaign], settings: Settings, *, now: datetime) -> bytes:
    """The Atom document for `campaigns` (their associations loaded)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = settings.absolute("/campaigns.atom")
    _text(feed, "id", self_url)
    _text(feed, "title", i18n.gettext("Campaigns on %(domain)s") % {"domain": settings.domain})
    updated = max((_updated(c) for c in campaigns), default=now)
    _text(feed, "updated", _stamp(updated))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, settings.absolute("/"), "alternate", "text/html")
    _text(feed, "generator", "fedimob")
    for campaign in campaigns:
        association = campaign.association
        url = settings.absolute(campaign_path(campaign.slug))
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        title = campaign.title
        if campaign.state == CampaignState.CANCELLED:
            title = i18n.gettext("Cancelled: %(title)s") % {"title": title}
        _text(entry, "title", title, type="text")
        _text(entry, "updated", _stamp(_updated(campaign)))
        if campaign.published_at is not None:
            _text(entry, "published", _stamp(campaign.published_at))
        _link(entry, url, "alternate", "text/html")
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", association.name)
        _text(author, "uri", settings.absolute(f"/associations/{association.username}"))
        for category in campaign.categories or ():
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": printable(str(category))})
        _text(entry, "summary", campaign.summary or campaign.title, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body


def calendar_of(campaign: Campaign, settings: Settings) -> bytes:
    """The .ics of a physical action: one VEVENT, times in UTC."""
    url = settings.absolute(campaign_path(campaign.slug))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = icalendar.Event()
    event.add("uid", f"campaign-{campaign.id}@{settings.domain}")
    event.add("dtstamp", campaign.edited_at or campaign.published_at or campaign.created_at)
    if campaign.starts_at is not None:
        event.add("dtstart", campaign.starts_at)
    if campaign.ends_at is not None:
        event.add("dtend", campaign.ends_at)
    event.add("summary", printable(campaign.title))
    event.add("location", printable(campaign.address))
    if campaign.latitude is not None and campaign.longitude is not None:
        event.add("geo", (campaign.latitude, campaign.longitude))
    event.add("url", url)
    description = "\n\n".join(part for part in (campaign.summary, url) if part)
    event.add("description", printable(description))
    cancelled = campaign.state == CampaignState.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


async def campaigns_feed(request: Request) -> Response:
    settings = request.app.state.settings
    body = atom_feed(await feed_campaigns(), settings, now=utcnow())
    return Response(body, media_type=ATOM_TYPE)


async def campaign_calendar(request: Request) -> Response:
    slug = request.path_params["slug"]
    try:
        campaign = await public_campaign(slug)
    except NotFound:
        # Names may contain dots: this route hides the page of a campaign named
        # "meetup.ics", so it serves that page (or the campaign page's own 404).
        request.scope["path_params"] = {"slug": f"{slug}.ics"}
        return await campaign_page(request)
    if campaign.kind != CampaignKind.PHYSICAL or campaign.starts_at is None:
        return await refuse(
            request,
            404,
            i18n.gettext("No such action"),
            i18n.gettext("There is no action with a time and place at this address."),
        )
    body = calendar_of(campaign, request.app.state.settings)
    return Response(
        body,
        media_type=CALENDAR_TYPE,
        headers={"content-disposition": f'attachment; filename="{campaign.slug}.ics"'},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/campaigns.atom", campaigns_feed, name="campaigns_feed"),
        Route("/campaigns/{slug:str}.ics", campaign_calendar, name="campaign_calendar"),
    ]
