"""What an organiser's dashboard reads: their associations, campaigns, and joins per day.

Joins per day are bucketed here rather than grouped in SQL: a date function
that agrees on SQLite and PostgreSQL (and on time zones) is more trouble than
reading one timestamp per join, and both the window and the rows read are
bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from fedimob.clock import utcnow
from fedimob.domain.associations import require_organiser
from fedimob.domain.campaigns import get_campaign, list_campaigns
from fedimob.errors import NotFound, PermissionDenied
from fedimob.models import (
    Account,
    Association,
    Campaign,
    CampaignState,
    MemberRole,
    Membership,
    Participation,
    ParticipationState,
)

CHART_DAYS = 60  # the chart shows at most the last two months of a campaign
MAX_JOIN_ROWS = 20_000  # timestamps read per campaign; past that the chart says "partial"
# Campaigns shown per state: everything open, the latest of the finished ones.
SHOWN = {
    CampaignState.PUBLISHED: 50,
    CampaignState.DRAFT: 50,
    CampaignState.ENDED: 10,
    CampaignState.CANCELLED: 10,
}
COUNTED = (ParticipationState.ACCEPTED, ParticipationState.REQUESTED)


@dataclass(frozen=True, slots=True)
class OrganisedAssociation:
    association: Association
    role: MemberRole


@dataclass(frozen=True, slots=True)
class JoinsPerDay:
    """New participations (still counted) per day, oldest day first, every day present."""

    days: list[tuple[date, int]]
    partial: bool  # more joins than were read: the earliest days are undercounted

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)


async def organised_associations(account: Account) -> list[OrganisedAssociation]:
    """The associations the person organises (any role), by name."""
    memberships = (
        await Membership.filter(account_id=account.id)
        .select_related("association")
        .order_by("association__name", "association_id")
    )
    return [OrganisedAssociation(m.association, MemberRole(m.role)) for m in memberships]


async def organised_campaign(slug: str, account: Account) -> Campaign:
    """The campaign named `slug`, its association loaded, if `account` may organise it.

    NotFound otherwise, whether it exists or not: someone else's organisers
    learn nothing of a draft's name.
    """
    campaign = await get_campaign(slug)
    try:
        await require_organiser(account, campaign.association_id)  # type: ignore[attr-defined]
    except PermissionDenied:
        raise NotFound(f"no campaign named {slug!r}") from None
    await campaign.fetch_related("association")
    return campaign


async def campaigns_by_state(association_id: int) -> dict[CampaignState, list[Campaign]]:
    """The association's campaigns in each state (at most `SHOWN` of each): running ones
    and drafts by deadline, ended and cancelled ones latest first."""
    return {
        state: await list_campaigns(
            states=(state,),
            association_id=association_id,
            newest_first=state in {CampaignState.ENDED, CampaignState.CANCELLED},
            limit=limit,
        )
        for state, limit in SHOWN.items()
    }


def _window(campaign: Campaign, now: datetime, zone: tzinfo) -> tuple[date, date]:
    opened = campaign.published_at or campaign.created_at
    closed = campaign.ended_at or campaign.cancelled_at or now
    last = closed.astimezone(zone).date()
    first = max(opened.astimezone(zone).date(), last - timedelta(days=CHART_DAYS - 1))
    return min(first, last), last


async def joins_per_day(
    campaign: Campaign, *, zone: tzinfo = UTC, now: datetime | None = None
) -> JoinsPerDay:
    """How many of the campaign's participations (accepted or requested) began each day
    (days as `zone`'s clock has them: the instance's time zone), from its publication (or
    the last CHART_DAYS days) to its end (or today)."""
    first, last = _window(campaign, now or utcnow(), zone)
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    stamps: list[datetime] = await (
        Participation.filter(campaign_id=campaign.id, state__in=COUNTED, created_at__gte=since)
        .order_by("-created_at")
        .limit(MAX_JOIN_ROWS + 1)
        .values_list("created_at", flat=True)
    )  # type: ignore[assignment]
    partial = len(stamps) > MAX_JOIN_ROWS
    counts: dict[date, int] = {}
    for stamp in stamps[:MAX_JOIN_ROWS]:
        day = stamp.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return JoinsPerDay([(day, counts.get(day, 0)) for day in days], partial)
