"""Progress towards a campaign's goal, and the milestones on the way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fedimob.models import Campaign, GoalKind, Milestone, Outcome

MILESTONES = (25, 50, 75, 100)


def progress_value(campaign: Campaign) -> Decimal:
    """How far the campaign is, in the goal's own unit (people, hours, impact units)."""
    return progress_of(
        campaign.goal_kind,
        participants=campaign.participants_count,
        pledged_minutes=campaign.pledged_minutes,
        impact_total=campaign.impact_total,
    )


def progress_of(
    goal_kind: str, *, participants: int, pledged_minutes: int, impact_total: Decimal | int
) -> Decimal:
    """`progress_value` from the counters alone (for lists that read them without models)."""
    if goal_kind == GoalKind.PARTICIPANTS:
        return Decimal(participants)
    if goal_kind == GoalKind.HOURS:
        return Decimal(pledged_minutes) / 60
    return Decimal(impact_total)


def progress_percent(campaign: Campaign) -> int:
    """Whole percent of the goal reached (may exceed 100)."""
    if campaign.goal_target <= 0:
        return 0
    return int(progress_value(campaign) * 100 / campaign.goal_target)


def outcome_of(campaign: Campaign) -> Outcome:
    return Outcome.SUCCEEDED if progress_value(campaign) >= campaign.goal_target else Outcome.MISSED


async def record_milestones(campaign: Campaign, now: datetime) -> list[int]:
    """Record the milestones the campaign has reached and not recorded yet.

    A milestone is reached once: if the count falls back, it stays recorded.
    Call under the campaign's lock (see participation.py).
    """
    percent = progress_percent(campaign)
    due = [m for m in MILESTONES if m <= percent]
    if not due:
        return []
    known = {
        m.percent for m in await Milestone.filter(campaign_id=campaign.id).only("id", "percent")
    }
    reached = [m for m in due if m not in known]
    if reached:
        await Milestone.bulk_create(
            [Milestone(campaign_id=campaign.id, percent=m, reached_at=now) for m in reached]
        )
    return reached
