"""Plain-data views of domain objects, for the CLI's JSON and the web's templates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from fedimob.domain.progress import progress_percent, progress_value
from fedimob.models import Association, Campaign, Milestone, Participation
from fedimob.settings import Settings


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def campaign_path(slug: str) -> str:
    return f"/campaigns/{slug}"


async def campaign_summary(campaign: Campaign, settings: Settings) -> dict[str, Any]:
    """Everything public about a campaign, as JSON-ready values."""
    [summary] = await campaign_summaries([campaign], settings)
    return summary


async def campaign_summaries(
    campaigns: Sequence[Campaign], settings: Settings
) -> list[dict[str, Any]]:
    """`campaign_summary` of each campaign, their milestones read in one query for all.

    A list page pays one query for the milestones instead of one per campaign (load the
    campaigns with `select_related("association")`, as `list_campaigns` does, to spare one
    query each for the association too).
    """
    reached: dict[int, list[Milestone]] = {campaign.id: [] for campaign in campaigns}
    if reached:
        milestones = Milestone.filter(campaign_id__in=list(reached)).order_by("percent")
        for milestone in await milestones:
            reached[milestone.campaign_id].append(milestone)  # type: ignore[attr-defined]
    return [
        _summary(campaign, await campaign.association, reached[campaign.id], settings)
        for campaign in campaigns
    ]


def _summary(
    campaign: Campaign, association: Association, milestones: list[Milestone], settings: Settings
) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "handle": f"@{campaign.slug}@{settings.domain}",
        "url": settings.absolute(campaign_path(campaign.slug)),
        "title": campaign.title,
        "summary": campaign.summary,
        "association": association.username,
        "kind": str(campaign.kind),
        "categories": list(campaign.categories),
        "language": campaign.language,
        "state": str(campaign.state),
        "outcome": str(campaign.outcome) if campaign.outcome else None,
        "goal_kind": str(campaign.goal_kind),
        "goal": campaign.goal_target,
        "impact_unit": campaign.impact_unit or None,
        "progress": _number(progress_value(campaign)),
        "progress_percent": progress_percent(campaign),
        "participants": campaign.participants_count,
        "requested": campaign.requested_count,
        "pledged_minutes": campaign.pledged_minutes,
        "reported_minutes": campaign.reported_minutes,
        "impact_total": _number(Decimal(campaign.impact_total)),
        "pledge_options": list(campaign.pledge_options),
        "capacity": campaign.capacity,
        "join_mode": str(campaign.join_mode),
        "deadline": _iso(campaign.deadline),
        "published_at": _iso(campaign.published_at),
        "ended_at": _iso(campaign.ended_at),
        "cancelled_at": _iso(campaign.cancelled_at),
        "address": campaign.address or None,
        "starts_at": _iso(campaign.starts_at),
        "ends_at": _iso(campaign.ends_at),
        "instructions_url": campaign.instructions_url or None,
        "milestones": [
            {"percent": m.percent, "reached_at": _iso(m.reached_at)} for m in milestones
        ],
    }


async def participation_summary(participation: Participation) -> dict[str, Any]:
    actor = await participation.participant
    campaign = await participation.campaign
    return {
        "campaign": campaign.slug,
        "participant": actor.username
        if actor.domain is None
        else f"{actor.username}@{actor.domain}",
        "state": str(participation.state),
        "pledge_minutes": participation.pledge_minutes,
        "via": str(participation.via),
        "listed": participation.listed,
        "reported_minutes": participation.reported_minutes,
        "reported_impact": (
            _number(Decimal(participation.reported_impact))
            if participation.reported_impact is not None
            else None
        ),
        "contribution_validated": participation.contribution_validated,
    }
