"""A campaign's public page, its share-on-the-Fediverse redirect, and its embeddable widget.

- `/campaigns/{slug}`: everything public about the campaign. Drafts are 404;
  a cancelled campaign stays visible, saying it was cancelled (its links
  may be out there; a 410 would hide what became of it).
- `/campaigns/{slug}/share?server=...`: people type their handle
  (`@you@server`) or their server's name; we check it is a host name and send
  them to that server's Mastodon-compatible `/share?text=...` page. No request
  leaves this server.
- `/campaigns/{slug}/widget`: a tiny page to put in an `<iframe>` on any
  site, the one page whose CSP lets others frame it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.catalogue import card_of_campaign
from fedimob.domain.instance_profile import shown_instance_profile
from fedimob.domain.public_campaigns import (
    campaign_news,
    impact_figures,
    listed_participants,
    public_campaign,
)
from fedimob.domain.summaries import campaign_summary
from fedimob.errors import NotFound
from fedimob.models import Campaign, CampaignKind
from fedimob.settings import Settings
from web import i18n
from web.csrf import same_origin
from web.endpoints import refuse
from web.security import HEADERS
from web.templating import render, templates
from web.volunteer import campaign_actions

MAX_SERVER_INPUT = 300
WIDGET_WIDTH, WIDGET_HEIGHT = 320, 200
# The site-wide policy, except that any site may frame the widget.
WIDGET_CSP = HEADERS["content-security-policy"].replace(
    "frame-ancestors 'self'", "frame-ancestors *"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def share_server(text: str) -> str | None:
    """The host name in `@you@server`, `you@server`, `server` or `https://server/...`.

    None unless it is a plain DNS name with a dot (no port, no IP address, no
    credentials): the redirect built from it can only lead to that server's
    share page.
    """
    value = text.strip()
    if not value or len(value) > MAX_SERVER_INPUT:
        return None
    lowered = value.lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            value = value[len(scheme) :].split("/", 1)[0]
            break
    host = value.rsplit("@", 1)[-1].rstrip(".")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return ascii_host


def share_text(campaign: Campaign, settings: Settings) -> str:
    return f"{campaign.title} {settings.absolute(f'/campaigns/{campaign.slug}')}"


def openstreetmap_url(latitude: float, longitude: float) -> str:
    lat, lon = f"{latitude:.5f}", f"{longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


def widget_snippet(campaign: Campaign, settings: Settings) -> str:
    src = settings.absolute(f"/campaigns/{campaign.slug}/widget")
    return str(
        Markup(
            '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy"></iframe>'
        ).format(src, campaign.title, WIDGET_WIDTH, WIDGET_HEIGHT)
    )


async def _campaign_or_404(request: Request) -> Campaign | Response:
    try:
        return await public_campaign(request.path_params["slug"])
    except NotFound:
        return await refuse(
            request,
            404,
            i18n.gettext("No such campaign"),
            i18n.gettext("There is no public campaign at this address."),
        )


async def campaign_page(request: Request) -> Response:
    found = await _campaign_or_404(request)
    if isinstance(found, Response):
        return found
    campaign = found
    settings = request.app.state.settings
    physical = campaign.kind == CampaignKind.PHYSICAL
    has_map = physical and campaign.latitude is not None and campaign.longitude is not None
    response = await render(
        request,
        "campaign.html",
        {
            "campaign": campaign,
            "c": await campaign_summary(campaign, settings),
            "association": campaign.association,
            "description_html": campaign.description_html,
            "news": await campaign_news(campaign),
            "listed": await listed_participants(campaign),
            "impact": impact_figures(campaign),
            "map_url": (
                openstreetmap_url(campaign.latitude, campaign.longitude)  # type: ignore[arg-type]
                if has_map
                else None
            ),
            "calendar_url": f"/campaigns/{campaign.slug}.ics" if physical else None,
            "widget_snippet": widget_snippet(campaign, settings),
            "now": utcnow(),
            **await campaign_actions(request, campaign),  # the join box's data
        },
    )
    response.headers["vary"] = "Accept"  # the same URL serves the ActivityPub actor
    return response


async def share(request: Request) -> Response:
    """Send a visitor to their own server's share page, or ask again for its name.

    Only a form sent from our own pages redirects at once. A link made
    elsewhere (`?server=evil.example`) shows the server's name and waits for a
    click, so the site is no open redirect for whoever writes such links.
    """
    found = await _campaign_or_404(request)
    if isinstance(found, Response):
        return found
    campaign = found
    typed = request.query_params.get("server", "")[:MAX_SERVER_INPUT]
    if typed.strip():
        server = share_server(typed)
        if server is not None:
            settings = request.app.state.settings
            query = urlencode({"text": share_text(campaign, settings)}, quote_via=quote)
            target = f"https://{server}/share?{query}"
            if same_origin(request, settings.url):
                return RedirectResponse(target, status_code=303)
            context = {"campaign": campaign, "typed": typed, "server": server, "target": target}
            return await render(request, "campaign/share.html", context)
    error = (
        i18n.gettext(
            "Type your Fediverse address, like @you@example.social, or your server's name, "
            "like example.social."
        )
        if typed.strip()
        else None
    )
    return await render(
        request,
        "campaign/share.html",
        {"campaign": campaign, "typed": typed, "error": error},
        status_code=400 if error else 200,
    )


async def widget(request: Request) -> Response:
    try:
        campaign = await public_campaign(request.path_params["slug"])
    except NotFound:
        return Response(
            i18n.gettext("No such campaign"),
            status_code=404,
            media_type="text/plain; charset=utf-8",
            headers={"content-security-policy": WIDGET_CSP},
        )
    settings = request.app.state.settings
    response = templates.TemplateResponse(
        request,
        "campaign/widget.html",
        {
            "c": card_of_campaign(campaign),  # no milestones: one query, for a page others embed
            "url": settings.absolute(f"/campaigns/{campaign.slug}"),
            "domain": settings.domain,
            "instance": await shown_instance_profile(),
            "locale": i18n.current_locale(),
            "running": campaign.deadline > utcnow(),
        },
    )
    response.headers["content-security-policy"] = WIDGET_CSP
    return response


async def progress(request: Request) -> Response:
    """The progress bar and its figures alone: what the campaign page's live.js fetches.

    Fetched without cookies, so visitors share the page cache's copy of it; in
    the page's own language (`?lang=`, see web/endpoints.py), which a cookieless
    request could not otherwise tell.
    """
    try:
        campaign = await public_campaign(request.path_params["slug"])
    except NotFound:
        raise HTTPException(404, "No such campaign") from None
    return templates.TemplateResponse(
        request,
        "campaign/progress.html",
        {"c": card_of_campaign(campaign), "locale": i18n.current_locale()},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/campaigns/{slug:str}", campaign_page, name="campaign"),
        Route("/campaigns/{slug:str}/progress", progress, name="campaign_progress"),
        Route("/campaigns/{slug:str}/share", share, name="campaign_share"),
        Route("/campaigns/{slug:str}/widget", widget, name="campaign_widget"),
    ]
