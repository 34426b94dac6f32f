"""What one person did: their participations here and elsewhere, time given, their record.

Plain, read-only views for a person's own pages (the web's "My participations",
the printable record) and the join box of a campaign page. Every query is scoped
by the person's own actor, so nobody ever reads someone else's participation.

Time given, the rule stated on the person's page:

- an accepted participation counts the minutes its participant reported;
- without a report, once the campaign has ended, the minutes pledged;
- an accepted join of another instance's campaign counts the minutes pledged
  once its deadline has passed (the home instance keeps any report);
- anything else (pending, declined, withdrawn, still running without a
  report) counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fedimob.clock import utcnow
from fedimob.models import (
    Account,
    Association,
    Campaign,
    CampaignState,
    Participation,
    ParticipationState,
    RemoteJoin,
)

MAX_ROWS = 1000  # a lifetime of volunteering; more would be a bot


@dataclass(frozen=True, slots=True)
class MyParticipation:
    """One's participation in a campaign of this instance."""

    slug: str
    title: str
    association: str
    association_name: str
    campaign_state: str
    outcome: str | None
    impact_unit: str
    state: str
    pledge_minutes: int
    via: str
    listed: bool
    message: str
    reported_minutes: int | None
    reported_impact: Decimal | None
    reported_at: datetime | None
    validated: bool
    joined_at: datetime | None
    # The day for the record: when the action took place, else when it was reported, else
    # when counting stopped.
    day: datetime | None
    minutes_given: int

    @property
    def active(self) -> bool:
        return self.state in {ParticipationState.ACCEPTED, ParticipationState.REQUESTED}

    @property
    def reported(self) -> bool:
        return self.reported_at is not None


@dataclass(frozen=True, slots=True)
class MyRemoteJoin:
    """One's join of another instance's campaign (its home instance has the real row)."""

    event_id: str
    title: str
    url: str
    domain: str
    deadline: datetime | None
    cancelled: bool
    ended: bool
    state: str
    pledge_minutes: int
    asked_at: datetime | None
    minutes_given: int

    @property
    def active(self) -> bool:
        return self.state in {ParticipationState.ACCEPTED, ParticipationState.REQUESTED}


@dataclass(frozen=True, slots=True)
class RecordLine:
    """One line of the printable record of volunteering hours."""

    title: str
    association: str
    day: datetime | None
    minutes: int
    validated: bool | None  # None: another instance's campaign, validated there if at all


@dataclass(frozen=True, slots=True)
class Record:
    lines: list[RecordLine]

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)


def _plain(amount: Decimal | None) -> Decimal | None:
    """1200.00 -> 1200, 2.50 -> 2.5 (never 1.2E+3)."""
    if amount is None:
        return None
    value = Decimal(amount)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _minutes_given(row: Participation, campaign: Campaign) -> int:
    if row.state != ParticipationState.ACCEPTED:
        return 0
    if row.reported_minutes is not None:
        return row.reported_minutes
    return row.pledge_minutes if campaign.state == CampaignState.ENDED else 0


def _view(row: Participation) -> MyParticipation:
    campaign: Campaign = row.campaign
    association = campaign.association
    return MyParticipation(
        slug=campaign.slug,
        title=campaign.title,
        association=association.username,
        association_name=association.name,
        campaign_state=str(campaign.state),
        outcome=str(campaign.outcome) if campaign.outcome else None,
        impact_unit=campaign.impact_unit,
        state=str(row.state),
        pledge_minutes=row.pledge_minutes,
        via=str(row.via),
        listed=row.listed,
        message=row.message,
        reported_minutes=row.reported_minutes,
        reported_impact=_plain(row.reported_impact),
        reported_at=row.reported_at,
        validated=row.contribution_validated,
        joined_at=row.created_at,
        day=campaign.starts_at or row.reported_at or campaign.deadline,
        minutes_given=_minutes_given(row, campaign),
    )


def _remote_view(row: RemoteJoin, now: datetime) -> MyRemoteJoin:
    campaign = row.campaign
    ended = campaign.deadline is not None and campaign.deadline <= now
    cancelled = campaign.deleted_at is not None
    counts = row.state == ParticipationState.ACCEPTED and ended and not cancelled
    return MyRemoteJoin(
        event_id=campaign.ap_id,
        title=campaign.title,
        url=campaign.url or campaign.ap_id,
        domain=campaign.domain,
        deadline=campaign.deadline,
        cancelled=cancelled,
        ended=ended,
        state=str(row.state),
        pledge_minutes=row.pledge_minutes,
        asked_at=row.updated_at,
        minutes_given=row.pledge_minutes if counts else 0,
    )


async def participation_in(campaign: Campaign, account: Account) -> MyParticipation | None:
    """The person's participation in this campaign, in any state, or None.

    The campaign page has the campaign and its association already: they are
    not read again with the row.
    """
    row = await Participation.get_or_none(
        campaign_id=campaign.id,
        participant_id=account.actor_id,  # type: ignore[attr-defined]
    )
    if row is None:
        return None
    if not isinstance(campaign.association, Association):  # not loaded with the campaign
        await campaign.fetch_related("association")
    row.campaign = campaign
    return _view(row)


async def participations_of(account: Account) -> list[MyParticipation]:
    """Every participation of the person here, the latest joined first."""
    rows = (
        await Participation.filter(participant_id=account.actor_id)  # type: ignore[attr-defined]
        .select_related("campaign__association")
        .order_by("-created_at", "-id")
        .limit(MAX_ROWS)
    )
    return [_view(row) for row in rows]


async def remote_joins_of(account: Account, *, now: datetime | None = None) -> list[MyRemoteJoin]:
    """The person's joins of other instances' campaigns, the latest asked first."""
    now = now or utcnow()
    rows = (
        await RemoteJoin.filter(participant_id=account.actor_id)  # type: ignore[attr-defined]
        .select_related("campaign")
        .order_by("-updated_at", "-id")
        .limit(MAX_ROWS)
    )
    return [_remote_view(row, now) for row in rows]


async def remote_joins_by_event(
    account: Account, *, now: datetime | None = None
) -> dict[str, MyRemoteJoin]:
    """The person's remote joins keyed by the campaign's Event id (for lists of campaigns)."""
    return {join.event_id: join for join in await remote_joins_of(account, now=now)}


def minutes_given(participations: list[MyParticipation], remote_joins: list[MyRemoteJoin]) -> int:
    """The person's total time given, by the rule in this module's docstring."""
    return sum(p.minutes_given for p in participations) + sum(r.minutes_given for r in remote_joins)


async def volunteering_record(account: Account, *, now: datetime | None = None) -> Record:
    """Every campaign the person gave time to, oldest first, for a printed record."""
    lines = [
        RecordLine(p.title, p.association_name, p.day, p.minutes_given, p.validated)
        for p in await participations_of(account)
        if p.minutes_given > 0
    ]
    lines += [
        RecordLine(r.title, r.domain, r.deadline, r.minutes_given, None)
        for r in await remote_joins_of(account, now=now)
        if r.minutes_given > 0
    ]
    far_past = datetime.min.replace(tzinfo=utcnow().tzinfo)
    lines.sort(key=lambda line: line.day or far_past)
    return Record(lines)
