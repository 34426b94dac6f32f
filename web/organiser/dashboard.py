"""The organiser's dashboard: each association they belong to, its campaigns with their
live counts, and a chart of joins per day for the running and ended ones."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.dashboard import (
    OrganisedAssociation,
    campaigns_by_state,
    joins_per_day,
    organised_associations,
)
from fedimob.domain.summaries import campaign_summaries
from fedimob.models import CampaignState
from fedimob.settings import Settings
from web import i18n
from web.access import login_required, require_user
from web.organiser.chart import chart_of
from web.templating import render

CHARTED = (CampaignState.PUBLISHED, CampaignState.ENDED)
# The order of the dashboard's sections.
SECTIONS = (
    CampaignState.PUBLISHED,
    CampaignState.DRAFT,
    CampaignState.ENDED,
    CampaignState.CANCELLED,
)


async def _association_view(organised: OrganisedAssociation, settings: Settings) -> dict[str, Any]:
    association = organised.association
    by_state = await campaigns_by_state(association.id)
    zone = i18n.current_zone()  # the instance's: its days are the chart's
    sections = []
    for state in SECTIONS:
        campaigns = by_state[state]
        summaries = await campaign_summaries(campaigns, settings)
        rows = []
        for campaign, summary in zip(campaigns, summaries, strict=True):
            joins = await joins_per_day(campaign, zone=zone) if state in CHARTED else None
            chart = chart_of(joins) if joins is not None else None
            rows.append({"c": summary, "chart": chart, "id": campaign.id})
        sections.append({"state": str(state), "rows": rows})
    return {
        "association": association,
        "role": str(organised.role),
        "sections": sections,
        "empty": not any(section["rows"] for section in sections),
    }


@login_required
async def dashboard(request: Request) -> Response:
    settings = request.app.state.settings
    associations = [
        await _association_view(organised, settings)
        for organised in await organised_associations(require_user(request))
    ]
    return await render(request, "organiser/dashboard.html", {"associations": associations})


def routes() -> list[BaseRoute]:
    return [Route("/dashboard", dashboard, name="dashboard")]
