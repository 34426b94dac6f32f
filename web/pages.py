"""The public pages: the list of campaigns, and a page per campaign, association and person."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.accounts import get_account
from fedimob.domain.associations import get_association
from fedimob.domain.campaigns import get_campaign, list_campaigns
from fedimob.domain.remote_campaigns import running_remote_campaigns
from fedimob.domain.summaries import campaign_summary
from fedimob.errors import NotFound
from fedimob.models import CampaignState
from web.templating import render


async def index(request: Request) -> Response:
    settings = request.app.state.settings
    running = [
        await campaign_summary(c, settings)
        for c in await list_campaigns(states=(CampaignState.PUBLISHED,))
    ]
    ended = [
        await campaign_summary(c, settings)
        for c in await list_campaigns(states=(CampaignState.ENDED,), newest_first=True, limit=12)
    ]
    remote = await running_remote_campaigns()
    return await render(
        request,
        "index.html",
        {"running": running, "ended": ended, "remote": remote},
    )


async def campaign_page(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        campaign = await get_campaign(request.path_params["slug"])
    except NotFound:
        raise HTTPException(404, "No such campaign") from None
    if campaign.state == CampaignState.DRAFT:
        raise HTTPException(404, "No such campaign")
    summary = await campaign_summary(campaign, settings)
    return await render(
        request,
        "campaign.html",
        {"c": summary, "description_html": campaign.description_html},
    )


async def association_page(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        association = await get_association(request.path_params["name"])
    except NotFound:
        raise HTTPException(404, "No such association") from None
    campaigns = [
        await campaign_summary(c, settings)
        for c in await list_campaigns(
            states=(CampaignState.PUBLISHED,), association_id=association.id
        )
    ]
    return await render(
        request,
        "association.html",
        {
            "a": association,
            "handle": f"@{association.username}@{settings.domain}",
            "actor_url": settings.absolute(f"/associations/{association.username}"),
            "campaigns": campaigns,
        },
    )


async def person_page(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        account = await get_account(request.path_params["name"])
    except NotFound:
        raise HTTPException(404, "No such person") from None
    if not account.is_active:
        raise HTTPException(404, "No such person")
    return await render(
        request,
        "person.html",
        {
            "name": account.display_name or account.username,
            "handle": f"@{account.username}@{settings.domain}",
            "actor_url": settings.absolute(f"/users/{account.username}"),
        },
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/", index, name="index"),
        Route("/campaigns/{slug:str}", campaign_page, name="campaign"),
        Route("/associations/{name:str}", association_page, name="association"),
        Route("/users/{name:str}", person_page, name="person"),
    ]
