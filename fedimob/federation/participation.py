"""Joining campaigns from other servers, and telling them how it went.

Every path lands in `fedimob.domain.participation`, idempotent per actor:

    Join{Event | campaign}          join; Accept{Join} (free), later (approval), Reject (refused)
    Leave{Event} / Undo{Join}       withdraw
    Accept{Event}                   join (Friendica, Hubzilla)
    TentativeAccept{Event}          a pending participation, counted once accepted
    Undo{Accept|TentativeAccept}    withdraw
"""

from __future__ import annotations

import logging
from typing import Any

from activitypub.errors import InvalidDocument
from activitypub.vocab import read_types, require_ref
from fedimob.domain.campaign_input import MAX_PLEDGE_MINUTES as MAX_PLEDGE
from fedimob.domain.participation import join, leave
from fedimob.errors import InvalidTransition, JoinRefused, NotFound
from fedimob.federation.context import Federation
from fedimob.federation.follows import on_accept as on_follow_accepted
from fedimob.federation.outbox import activity, send
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.federation.remote_joins import on_join_answered
from fedimob.federation.urls import LocalUrls
from fedimob.jobs.registry import JobRun
from fedimob.models import (
    Actor,
    ActorKind,
    Campaign,
    CampaignState,
    JoinVia,
    Participation,
    ParticipationState,
)

log = logging.getLogger(__name__)
MAX_MESSAGE = 2000
PARTICIPATION_TYPES = frozenset({"Join", "Accept", "TentativeAccept"})


async def campaign_for(urls: LocalUrls, target: str) -> Campaign | None:
    """The campaign an id names: its Event or its actor."""
    parsed = urls.parse_actor_id(target.removesuffix("/event").removesuffix("/poll"))
    if parsed is None or parsed[0] != ActorKind.GROUP:
        return None
    campaign = await Campaign.get_or_none(slug=parsed[1].lower()).select_related("actor")
    if campaign is None or campaign.state == CampaignState.DRAFT:
        return None
    return campaign


async def _target(incoming: Incoming) -> Campaign:
    ref = require_ref(incoming.activity, "object")
    campaign = await campaign_for(incoming.federation.urls, ref.id)
    if campaign is None:
        raise InvalidDocument(f"{ref.id} is not one of our campaigns")
    return campaign


def _pledge(activity_doc: dict[str, Any]) -> int | None:
    """A fedimob Join says how long; other servers' Joins take the first pledge option."""
    value = activity_doc.get("pledgedMinutes")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_PLEDGE:
        return value
    return None


def _message(activity_doc: dict[str, Any]) -> str:
    value = activity_doc.get("participationMessage") or activity_doc.get("content") or ""
    return value[:MAX_MESSAGE] if isinstance(value, str) else ""


async def answer(
    federation: Federation,
    campaign: Campaign,
    participant: Actor,
    kind: str,
    asked: dict[str, Any],
    *,
    reason: str = "",
) -> None:
    """Send Accept or Reject of the activity `participant` asked to join with."""
    urls = federation.urls
    document = activity(urls, campaign.actor, kind, asked, to=[participant.ap_id or ""])
    if reason:
        document["summary"] = reason
    await send(campaign.actor, document, recipients=[participant])


def _asked(incoming: Incoming) -> dict[str, Any]:
    """What our answer names: the asking activity, without its context."""
    return {k: v for k, v in incoming.activity.items() if k in ("id", "type", "actor", "object")}


async def _join(incoming: Incoming, *, via: JoinVia, pending: bool = False) -> None:
    campaign = await _target(incoming)
    try:
        change = await join(
            campaign,
            incoming.actor,
            via=via,
            message=_message(incoming.activity),
            pledge_minutes=_pledge(incoming.activity),
            asked_at=incoming.asked_at,
            ap_id=incoming.activity["id"],
            pending=pending,
            now=incoming.now,
        )
    except JoinRefused as refused:
        await answer(incoming.federation, campaign, incoming.actor, "Reject", _asked(incoming),
                     reason=str(refused))  # fmt: skip
        return
    if change.participation.state == ParticipationState.ACCEPTED:
        await answer(incoming.federation, campaign, incoming.actor, "Accept", _asked(incoming))


async def on_join(incoming: Incoming) -> None:
    await _join(incoming, via=JoinVia.JOIN_ACTIVITY)


async def on_accept_event(incoming: Incoming) -> None:
    await _join(incoming, via=JoinVia.ACCEPT_EVENT)


async def on_tentative_accept(incoming: Incoming) -> None:
    await _join(incoming, via=JoinVia.ACCEPT_EVENT, pending=True)


async def withdraw(incoming: Incoming, campaign: Campaign) -> None:
    """Leave, quietly: leaving twice, or what one never joined, changes nothing."""
    try:
        await leave(campaign, incoming.actor, asked_at=incoming.asked_at, now=incoming.now)
    except (NotFound, InvalidTransition) as nothing:
        log.info(
            "withdrawal from %s by %s ignored: %s", campaign.slug, incoming.actor.ap_id, nothing
        )


async def on_leave(incoming: Incoming) -> None:
    await withdraw(incoming, await _target(incoming))


async def undo_participation(
    incoming: Incoming, undone: dict[str, Any] | None, undone_id: str
) -> bool:
    """Undo{Join | Accept{Event} | TentativeAccept{Event}}; True if it named a participation."""
    row = await Participation.filter(participant_id=incoming.actor.id, ap_id=undone_id).first()
    campaign: Campaign | None = None
    if row is not None:
        campaign = await Campaign.get(id=row.campaign_id)  # type: ignore[attr-defined]
    elif undone is not None and PARTICIPATION_TYPES & set(read_types(undone)):
        target = undone.get("object")
        if isinstance(target, str):
            campaign = await campaign_for(incoming.federation.urls, target)
    if campaign is None:
        return False
    await withdraw(incoming, campaign)
    return True


async def on_decided(federation: Federation, run: JobRun) -> None:
    """An organiser accepted or declined a remote request: answer its Join."""
    row = await Participation.get_or_none(id=run.payload.get("participation_id")).select_related(
        "participant", "campaign__actor"
    )
    if row is None or row.ap_id is None or row.participant.domain is None:
        return
    kind = {ParticipationState.ACCEPTED: "Accept", ParticipationState.REJECTED: "Reject"}.get(
        ParticipationState(row.state)
    )
    if kind is None:
        return
    asked = {"id": row.ap_id, "type": "Join", "actor": row.participant.ap_id,
             "object": federation.urls.event_id(row.campaign.slug)}  # fmt: skip
    await answer(federation, row.campaign, row.participant, kind, asked)


async def on_accept(incoming: Incoming) -> None:
    """Accept of one of our Events is a join; others answer our Joins or our Follows."""
    target = require_ref(incoming.activity, "object")
    if await on_join_answered(incoming, accepted=True):
        return
    if await campaign_for(incoming.federation.urls, target.id) is not None:
        await on_accept_event(incoming)
    else:
        await on_follow_accepted(incoming)


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Join")(on_join)
    handlers.on("Leave")(on_leave)
    handlers.on("Accept")(on_accept)
    handlers.on("TentativeAccept")(on_tentative_accept)
