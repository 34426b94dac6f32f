"""A campaign as an ActivityStreams `Event` (FEP-8a8e, Mobilizon terms, fedimob extension).

Mastodon shows an Event as its `name`, its HTML `summary` and a link, so the
summary says what, when, where and the goal. Live counts go only in the
dedicated fields (`participantCount`, `pledgedMinutes`...), never in `name` or
`summary`: Mastodon turns every text change into an "edited" notification.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Any

from tortoise.functions import Count, Min, Sum

from activitypub.audience import AS_PUBLIC
from activitypub.contexts import fedimob_context
from activitypub.errors import InvalidDocument
from activitypub.ids import origin_of
from fedimob.domain.instance_profile import shown_instance_profile
from fedimob.domain.reactions import reaction_counts
from fedimob.domain.summaries import campaign_path
from fedimob.domain.time_zones import clock_text
from fedimob.federation.urls import LocalUrls
from fedimob.models import (
    Actor,
    Campaign,
    CampaignKind,
    GoalKind,
    JoinMode,
    Participation,
    ParticipationState,
    ReactionKind,
)

MOBILIZON_JOIN_MODES = {JoinMode.FREE: "free", JoinMode.APPROVAL: "restricted"}


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def goal_sentence(campaign: Campaign) -> str:
    if campaign.goal_kind == GoalKind.PARTICIPANTS:
        return f"Goal: {campaign.goal_target:,} people"
    if campaign.goal_kind == GoalKind.HOURS:
        return f"Goal: {campaign.goal_target:,} hours"
    return f"Goal: {campaign.goal_target:,} {campaign.impact_unit}"


def event_summary_html(campaign: Campaign, zone: tzinfo = UTC) -> str:
    """What, when, where and the goal, as the short HTML Mastodon displays; times on the
    clock of `zone` (the instance's), named: '2026-12-12 09:00 CET'. The Event's own
    time fields stay UTC."""
    lines = [escape(campaign.summary)] if campaign.summary else []
    if campaign.kind == CampaignKind.PHYSICAL:
        where = escape(campaign.address)
        when = clock_text(campaign.starts_at, zone) if campaign.starts_at else ""
        lines.append(f"Where: {where}<br>When: {when}")
    deadline = clock_text(campaign.deadline, zone)
    lines.append(f"{escape(goal_sentence(campaign))}, before {deadline}")
    return "".join(f"<p>{line}</p>" for line in lines)


MAX_INSTANCES = 50


def _count(reactions: dict[ReactionKind, int] | None, kind: ReactionKind) -> dict[str, Any] | None:
    if reactions is None:
        return None
    return {"type": "Collection", "totalItems": reactions.get(kind, 0)}


def _instance(some_id: str | None, domain: str | None, urls: LocalUrls) -> str:
    """An instance's origin as its people's ids give it (http in development)."""
    if domain is None:
        return urls.settings.url
    try:
        return str(origin_of(some_id or ""))
    except InvalidDocument:
        return f"https://{domain}"


async def instance_breakdown(campaign: Campaign, urls: LocalUrls) -> list[dict[str, Any]]:
    """Participants and pledged minutes per instance, largest first (ours included)."""
    rows = (
        await Participation.filter(campaign_id=campaign.id, state=ParticipationState.ACCEPTED)
        .annotate(people=Count("id"), minutes=Sum("pledge_minutes"), one=Min("participant__ap_id"))
        .group_by("participant__domain")
        .values("participant__domain", "people", "minutes", "one")
    )
    ranked = sorted(rows, key=lambda row: -int(row["people"]))[:MAX_INSTANCES]
    return [
        {
            "type": "InstanceCount",
            "instance": _instance(row["one"], row["participant__domain"], urls),
            "participantCount": int(row["people"]),
            "pledgedMinutes": int(row["minutes"] or 0),
        }
        for row in ranked
    ]


async def current_event(
    campaign: Campaign, actor: Actor, urls: LocalUrls, counted_at: datetime
) -> dict[str, Any]:
    """The Event with everything counted now (breakdown, support, shares).

    `counted_at` is a moment before `campaign` was read: copies elsewhere keep
    the document with the latest one, so a late, older Update never wins.
    """
    breakdown = await instance_breakdown(campaign, urls)
    reactions = await reaction_counts(campaign)
    zone = (await shown_instance_profile()).zone
    event = campaign_to_event(campaign, actor, urls, breakdown, reactions, zone=zone)
    event["countedAt"] = _iso(counted_at)
    return event


def campaign_to_event(
    campaign: Campaign,
    actor: Actor,
    urls: LocalUrls,
    breakdown: list[dict[str, Any]] | None = None,
    reactions: dict[ReactionKind, int] | None = None,
    *,
    zone: tzinfo = UTC,
) -> dict[str, Any]:
    """The campaign's Event document, as served at its id and sent in activities."""
    page = urls.settings.absolute(campaign_path(campaign.slug))
    actor_id = urls.actor_id(actor)
    remaining = (
        max(0, campaign.capacity - campaign.participants_count)
        if campaign.capacity is not None
        else None
    )
    event: dict[str, Any] = {
        "@context": fedimob_context(),
        "id": urls.event_id(campaign.slug),
        "type": "Event",
        "attributedTo": actor_id,
        "to": [AS_PUBLIC],
        "cc": [urls.followers(actor)],
        "name": campaign.title,
        "summary": event_summary_html(campaign, zone),
        "content": campaign.description_html,
        "mediaType": "text/html",
        "url": [{"type": "Link", "mediaType": "text/html", "href": page}],
        "published": _iso(campaign.published_at),
        "startTime": _iso(campaign.starts_at or campaign.published_at),
        "endTime": _iso(campaign.ends_at or campaign.deadline),
        "joinMode": MOBILIZON_JOIN_MODES[JoinMode(campaign.join_mode)],
        "anonymousParticipationEnabled": False,
        "isOnline": campaign.kind == CampaignKind.DIGITAL,
        "participantCount": campaign.participants_count,
        "maximumAttendeeCapacity": campaign.capacity,
        "remainingAttendeeCapacity": remaining,
        "goalKind": str(campaign.goal_kind),
        "goalTarget": campaign.goal_target,
        "deadline": _iso(campaign.deadline),
        "pledgedMinutes": campaign.pledged_minutes,
        "impactUnit": campaign.impact_unit or None,
        "impactTotal": str(campaign.impact_total),
        "instanceBreakdown": breakdown,
        # Support and shares, as Mastodon reads favourites and boosts of a remote object.
        "likes": _count(reactions, ReactionKind.SUPPORT),
        "shares": _count(reactions, ReactionKind.SHARE),
        "pledgeOptions": [
            {"type": "PledgeOption", "name": f"{minutes} min", "minutes": minutes}
            for minutes in campaign.pledge_options
        ],
    }
    if campaign.edited_at is not None and campaign.state != "draft":
        event["updated"] = _iso(campaign.edited_at)  # a real edit: Mastodon may show it
    if campaign.kind == CampaignKind.PHYSICAL:
        place: dict[str, Any] = {"type": "Place", "name": campaign.address}
        if campaign.latitude is not None and campaign.longitude is not None:
            place.update(latitude=campaign.latitude, longitude=campaign.longitude)
        event["location"] = place
    elif campaign.instructions_url:
        event["url"].append(
            {"type": "Link", "mediaType": "text/html", "href": campaign.instructions_url,
             "name": "How to take part"}
        )  # fmt: skip
    return {key: value for key, value in event.items() if value is not None}
