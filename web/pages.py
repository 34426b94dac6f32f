"""The public pages of associations and people (campaigns: web/discover.py)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.accounts import get_account
from fedimob.domain.associations import get_association
from fedimob.domain.campaigns import list_campaigns
from fedimob.domain.summaries import campaign_summary
from fedimob.errors import NotFound
from fedimob.models import CampaignState
from web.templating import render


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
        Route("/associations/{name:str}", association_page, name="association"),
        Route("/users/{name:str}", person_page, name="person"),
    ]
