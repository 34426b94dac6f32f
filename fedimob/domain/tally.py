"""What one participation contributes to its campaign's counters.

A campaign's counters are the sum of its participations' tallies. A change to
a participation changes the counters by `tally(after) - tally(before)`, so
replays and repeated joins (no change) add zero, and a count cannot go
negative unless a row does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fedimob.models import Campaign, Participation, ParticipationState


@dataclass(frozen=True, slots=True)
class Tally:
    participants: int = 0
    requested: int = 0
    pledged_minutes: int = 0
    reported_minutes: int = 0
    impact: Decimal = Decimal(0)

    def __sub__(self, other: Tally) -> Tally:
        return Tally(
            self.participants - other.participants,
            self.requested - other.requested,
            self.pledged_minutes - other.pledged_minutes,
            self.reported_minutes - other.reported_minutes,
            self.impact - other.impact,
        )

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.participants + other.participants,
            self.requested + other.requested,
            self.pledged_minutes + other.pledged_minutes,
            self.reported_minutes + other.reported_minutes,
            self.impact + other.impact,
        )

    @property
    def is_zero(self) -> bool:
        return self == Tally()


def tally_of(participation: Participation | None) -> Tally:
    """The counters one participation row adds to its campaign."""
    if participation is None:
        return Tally()
    if participation.state == ParticipationState.REQUESTED:
        return Tally(requested=1)
    if participation.state != ParticipationState.ACCEPTED:
        return Tally()
    return Tally(
        participants=1,
        pledged_minutes=participation.pledge_minutes,
        reported_minutes=participation.reported_minutes or 0,
        impact=Decimal(participation.reported_impact or 0),
    )


def tally_of_campaign(campaign: Campaign) -> Tally:
    return Tally(
        participants=campaign.participants_count,
        requested=campaign.requested_count,
        pledged_minutes=campaign.pledged_minutes,
        reported_minutes=campaign.reported_minutes,
        impact=Decimal(campaign.impact_total),
    )


def store_tally(campaign: Campaign, tally: Tally) -> list[str]:
    """Write `tally` into the campaign's counter fields; return the fields changed."""
    if min(tally.participants, tally.requested, tally.pledged_minutes) < 0:
        raise AssertionError(f"counters of campaign {campaign.id} would go negative: {tally}")
    campaign.participants_count = tally.participants
    campaign.requested_count = tally.requested
    campaign.pledged_minutes = tally.pledged_minutes
    campaign.reported_minutes = tally.reported_minutes
    campaign.impact_total = tally.impact
    return [
        "participants_count",
        "requested_count",
        "pledged_minutes",
        "reported_minutes",
        "impact_total",
    ]


async def recount(campaign_id: int) -> Tally:
    """The counters recomputed from the participation rows (the source of truth)."""
    total = Tally()
    rows = Participation.filter(
        campaign_id=campaign_id,
        state__in=[ParticipationState.ACCEPTED, ParticipationState.REQUESTED],
    )
    async for row in rows:
        total = total + tally_of(row)
    return total
