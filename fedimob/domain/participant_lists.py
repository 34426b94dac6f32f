"""A campaign's participants as its organisers see them: pages, counts by state, export.

Who may read these is the caller's check (`associations.require_organiser`):
participant lists are for the campaign's organisers only. Every lookup is
scoped by the campaign, so a participation id from another campaign is
simply not found.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.functions import Count

from fedimob.errors import NotFound
from fedimob.models import JoinVia, Participation, ParticipationState

PER_PAGE = 100
EXPORT_BATCH = 500
MAX_ID = 2**63  # ids are 64-bit: a larger one is found nowhere (and must not reach SQL)


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    id: int
    username: str
    display_name: str
    domain: str | None  # None: an account of this instance
    state: ParticipationState
    pledge_minutes: int
    via: JoinVia
    joined_at: datetime
    listed: bool
    message: str
    reported_minutes: int | None
    reported_impact: Decimal | None
    reported_at: datetime | None
    validated: bool

    def handle(self, local_domain: str) -> str:
        """`name@domain`, without the leading @ (the web adds it where it helps)."""
        return f"{self.username}@{self.domain or local_domain}"


@dataclass(frozen=True, slots=True)
class ParticipantPage:
    rows: list[ParticipantRow]
    total: int
    page: int
    pages: int


def _row(participation: Participation) -> ParticipantRow:
    actor = participation.participant
    return ParticipantRow(
        id=participation.id,
        username=actor.username,
        display_name=actor.display_name,
        domain=actor.domain,
        state=ParticipationState(participation.state),
        pledge_minutes=participation.pledge_minutes,
        via=JoinVia(participation.via),
        joined_at=participation.created_at,
        listed=participation.listed,
        message=participation.message,
        reported_minutes=participation.reported_minutes,
        reported_impact=participation.reported_impact,
        reported_at=participation.reported_at,
        validated=participation.contribution_validated,
    )


async def list_participants(
    campaign_id: int,
    *,
    state: ParticipationState | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ParticipantPage:
    """One page of the campaign's participants (of one state, if given), in joining order."""
    query = Participation.filter(campaign_id=campaign_id)
    if state is not None:
        query = query.filter(state=state)
    total = await query.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = (
        await query.select_related("participant")
        .order_by("id")
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return ParticipantPage([_row(p) for p in rows], total, page, pages)


async def counts_by_state(campaign_id: int) -> dict[ParticipationState, int]:
    """How many participations the campaign has in each state (every state present)."""
    grouped = (
        await Participation.filter(campaign_id=campaign_id)
        .annotate(n=Count("id"))
        .group_by("state")
        .values("state", "n")
    )
    found = {ParticipationState(row["state"]): int(row["n"]) for row in grouped}
    return {state: found.get(state, 0) for state in ParticipationState}


async def all_participants(campaign_id: int) -> AsyncIterator[ParticipantRow]:
    """Every participant of the campaign, in joining order, read in batches (for export)."""
    after = 0
    while True:
        batch = (
            await Participation.filter(campaign_id=campaign_id, id__gt=after)
            .select_related("participant")
            .order_by("id")
            .limit(EXPORT_BATCH)
        )
        for participation in batch:
            yield _row(participation)
        if len(batch) < EXPORT_BATCH:
            return
        after = batch[-1].id


async def participation_in(campaign_id: int, participation_id: int) -> Participation:
    """The campaign's participation with this id; NotFound if it belongs to another."""
    if not 0 < participation_id < MAX_ID:
        raise NotFound("no such participation in this campaign")
    participation = await Participation.get_or_none(id=participation_id, campaign_id=campaign_id)
    if participation is None:
        raise NotFound("no such participation in this campaign")
    return participation
