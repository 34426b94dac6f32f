"""The end of a campaign, with its outcome: at its deadline, or when its organisers close it."""

from __future__ import annotations

import logging
from datetime import datetime

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.associations import require_organiser
from fedimob.domain.campaigns import ENDED_JOB, lock_campaign
from fedimob.domain.participation import counts_changed
from fedimob.domain.progress import outcome_of
from fedimob.errors import InvalidTransition
from fedimob.jobs.queue import enqueue
from fedimob.models import Account, Campaign, CampaignState

log = logging.getLogger(__name__)


async def end_if_due(campaign_id: int, *, now: datetime | None = None) -> Campaign | None:
    """End the campaign if it is published and its deadline has passed.

    Returns the ended campaign, or None when there was nothing to do (already
    ended or cancelled, or the deadline moved later: its own job will come).
    """
    now = now or utcnow()
    async with in_transaction():
        if not await Campaign.exists(id=campaign_id):
            return None
        campaign = await lock_campaign(campaign_id, now)
        if campaign.state != CampaignState.PUBLISHED or campaign.deadline > now:
            return None
        await _end(campaign, now, fields=[])
    log.info("campaign %s ended: %s", campaign.slug, campaign.outcome)
    return campaign


async def end_now(
    campaign: Campaign, *, by: Account | None = None, now: datetime | None = None
) -> Campaign:
    """Close a running campaign before its deadline, with the outcome it has reached.

    The deadline becomes now, so the Event, the poll and the page all say when
    counting stopped; the deadline job, when it comes, finds the campaign ended
    and does nothing. Participants hear the outcome as at a normal end.
    """
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        if locked.state != CampaignState.PUBLISHED:
            raise InvalidTransition(f"campaign {locked.slug} is {locked.state}, not running")
        locked.deadline = min(locked.deadline, now)
        await _end(locked, now, fields=["deadline"])
    log.info("campaign %s closed early: %s", locked.slug, locked.outcome)
    return locked


async def _end(campaign: Campaign, now: datetime, *, fields: list[str]) -> None:
    """End a locked, published campaign with its outcome, and tell everyone."""
    campaign.state = CampaignState.ENDED
    campaign.outcome = outcome_of(campaign)
    campaign.ended_at = now
    await campaign.save(update_fields=["state", "outcome", "ended_at", "updated_at", *fields])
    # The final counts, and the poll's `closed`, go out like any count change.
    await counts_changed(campaign.id)
    await enqueue(ENDED_JOB, {"campaign_id": campaign.id})


async def end_overdue(*, now: datetime | None = None) -> list[Campaign]:
    """End every published campaign past its deadline (a safety net for lost jobs)."""
    now = now or utcnow()
    overdue = await Campaign.filter(state=CampaignState.PUBLISHED, deadline__lte=now).only("id")
    ended = [await end_if_due(campaign.id, now=now) for campaign in overdue]
    return [c for c in ended if c is not None]
