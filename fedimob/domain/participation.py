"""The one participation service every path lands in: web, CLI, and later federation.

Each change runs in one transaction under the campaign's row lock: read the
participant's row, change it, add `tally(after) - tally(before)` to the
campaign's counters, record milestones. Joining twice changes nothing, so
replays and duplicates never double-count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.associations import require_organiser
from fedimob.domain.campaign_input import MAX_PLEDGE_MINUTES
from fedimob.domain.campaigns import lock_campaign
from fedimob.domain.progress import record_milestones
from fedimob.domain.tally import Tally, store_tally, tally_of, tally_of_campaign
from fedimob.errors import InvalidTransition, JoinRefused, NotFound, ValidationError
from fedimob.jobs.queue import URGENT, enqueue
from fedimob.models import (
    Account,
    Actor,
    Campaign,
    CampaignState,
    JoinMode,
    JoinVia,
    Participation,
    ParticipationState,
)

MAX_MESSAGE = 2000
# Federation tells the world of these; each job commits with the change itself.
COUNTS_JOB = "campaign.counts_changed"  # coalesced: one pending per campaign
DECIDED_JOB = "participation.decided"  # an organiser answered a remote request
MAX_REPORTED_MINUTES = 100 * MAX_PLEDGE_MINUTES
MAX_IMPACT = Decimal("1e15")
# What campaign.impact_total can hold (20 digits, 2 after the point; PostgreSQL refuses more).
MAX_IMPACT_TOTAL = Decimal("1e18") - Decimal("0.01")
ACTIVE = (ParticipationState.ACCEPTED, ParticipationState.REQUESTED)


@dataclass(frozen=True, slots=True)
class Change:
    """The outcome of a participation call: the row, and whether anything changed."""

    participation: Participation
    changed: bool


def _check_open(campaign: Campaign, now: datetime) -> None:
    if campaign.state == CampaignState.DRAFT:
        raise JoinRefused(f"campaign {campaign.slug} is not published yet", reason="not_published")
    if campaign.state == CampaignState.CANCELLED:
        raise JoinRefused(f"campaign {campaign.slug} was cancelled", reason="cancelled")
    if campaign.state == CampaignState.ENDED or campaign.deadline <= now:
        raise JoinRefused(f"campaign {campaign.slug} has ended", reason="ended")


def _pledge(campaign: Campaign, minutes: int | None) -> int:
    if minutes is None:
        return campaign.pledge_options[0] if campaign.pledge_options else 60
    if not 1 <= minutes <= MAX_PLEDGE_MINUTES:
        raise ValidationError(
            f"a pledge must be 1 to {MAX_PLEDGE_MINUTES} minutes", field="pledge_minutes"
        )
    return minutes


async def _commit_tally(campaign: Campaign, delta: Tally, now: datetime) -> None:
    if delta.is_zero:
        return
    fields = store_tally(campaign, tally_of_campaign(campaign) + delta)
    await campaign.save(update_fields=fields)
    await counts_changed(campaign.id)
    if delta.participants > 0 or delta.pledged_minutes > 0 or delta.impact > 0:
        await record_milestones(campaign, now)


async def counts_changed(campaign_id: int) -> None:
    """Queue the campaign's coalesced count update (one pending per campaign), urgently."""
    await enqueue(
        COUNTS_JOB, {"campaign_id": campaign_id}, key=f"counts:{campaign_id}", priority=URGENT
    )


def _snapshot(participation: Participation | None) -> Tally:
    return tally_of(participation)


def _overtaken(row: Participation | None, asked_at: datetime | None) -> bool:
    """True if the participant asked something newer already (deliveries reorder)."""
    return (
        row is not None
        and row.asked_at is not None
        and asked_at is not None
        and asked_at < row.asked_at
    )


async def join(
    campaign: Campaign,
    actor: Actor,
    *,
    via: JoinVia,
    pledge_minutes: int | None = None,
    listed: bool | None = None,
    message: str = "",
    ap_id: str | None = None,
    pending: bool = False,
    asked_at: datetime | None = None,
    now: datetime | None = None,
) -> Change:
    """Join (or re-join, or change one's pledge); idempotent per (campaign, actor).

    `ap_id` is the remote activity that asked (answered by its id); `pending`
    makes a tentative participation, counted once an organiser accepts it;
    `asked_at` (when the remote participant asked) makes an older request that
    arrives after a newer one change nothing.
    """
    now = now or utcnow()
    if len(message) > MAX_MESSAGE:
        raise ValidationError("the message is too long", field="message")
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        row = await Participation.get_or_none(campaign_id=locked.id, participant_id=actor.id)
        if row is not None and _overtaken(row, asked_at):
            return Change(row, False)
        _check_open(locked, now)
        pledge = _pledge(locked, pledge_minutes)
        before = _snapshot(row)
        if row is not None and row.state == ParticipationState.REJECTED:
            raise JoinRefused("the organisers declined this participation", reason="rejected")
        rejoining = row is None or row.state == ParticipationState.WITHDRAWN
        if (
            rejoining
            and locked.capacity is not None
            and locked.participants_count >= locked.capacity
        ):
            raise JoinRefused(f"campaign {locked.slug} is full", reason="full")
        approval = pending or locked.join_mode == JoinMode.APPROVAL
        state = ParticipationState.REQUESTED if approval else ParticipationState.ACCEPTED
        if row is None:
            row = await Participation.create(
                campaign=locked,
                participant=actor,
                state=state,
                pledge_minutes=pledge,
                via=via,
                listed=bool(listed),
                message=message,
                ap_id=ap_id,
                asked_at=asked_at,
                created_at=now,  # the moment given (the demo's history), else the clock's
            )
            changed = True
        else:
            new_state = state if rejoining else row.state
            new_listed = row.listed if listed is None else listed
            changed = (row.state, row.pledge_minutes, row.listed) != (new_state, pledge, new_listed)
            if changed:
                if rejoining:
                    row.via = via
                    row.message = message
                    row.ap_id = ap_id
                row.state, row.pledge_minutes, row.listed = new_state, pledge, new_listed
            if asked_at is not None:
                row.asked_at = asked_at
            if changed or asked_at is not None:
                await row.save()
        await _commit_tally(locked, _snapshot(row) - before, now)
    return Change(row, changed)


async def leave(
    campaign: Campaign,
    actor: Actor,
    *,
    asked_at: datetime | None = None,
    now: datetime | None = None,
) -> Change:
    """Withdraw; leaving twice changes nothing. Refused once the campaign is over.

    With `asked_at` (a remote participant), a withdrawal that arrives before
    the join it follows is remembered, so that join, arriving late, is ignored.
    """
    now = now or utcnow()
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        row = await Participation.get_or_none(campaign_id=locked.id, participant_id=actor.id)
        if row is None:
            if asked_at is None:
                raise NotFound(f"{actor.username} does not participate in {locked.slug}")
            row = await Participation.create(
                campaign=locked, participant=actor, state=ParticipationState.WITHDRAWN,
                pledge_minutes=_pledge(locked, None), via=JoinVia.JOIN_ACTIVITY,
                asked_at=asked_at,
            )  # fmt: skip
            return Change(row, False)
        if _overtaken(row, asked_at):
            return Change(row, False)
        if asked_at is not None:
            row.asked_at = asked_at
            await row.save(update_fields=["asked_at"])
        if row.state not in ACTIVE:
            return Change(row, False)
        if locked.state != CampaignState.PUBLISHED or locked.deadline <= now:
            raise InvalidTransition(f"campaign {locked.slug} has ended: its count is final")
        before = _snapshot(row)
        row.state = ParticipationState.WITHDRAWN
        await row.save(update_fields=["state", "updated_at"])
        await _commit_tally(locked, _snapshot(row) - before, now)
    return Change(row, True)


async def decide(
    participation: Participation,
    *,
    accept: bool,
    by: Account | None,
    now: datetime | None = None,
) -> Change:
    """An organiser approves or declines a requested participation (approval mode)."""
    now = now or utcnow()
    async with in_transaction():
        locked = await lock_campaign(participation.campaign_id, now)  # type: ignore[attr-defined]
        if by is not None:
            await require_organiser(by, locked.association_id)  # type: ignore[attr-defined]
        row = await Participation.get(id=participation.id)
        target = ParticipationState.ACCEPTED if accept else ParticipationState.REJECTED
        if row.state == target:
            return Change(row, False)
        if row.state != ParticipationState.REQUESTED:
            raise InvalidTransition(f"this participation is {row.state}, not requested")
        if accept:
            _check_open(locked, now)
            if locked.capacity is not None and locked.participants_count >= locked.capacity:
                raise JoinRefused(f"campaign {locked.slug} is full", reason="full")
        before = _snapshot(row)
        row.state = target
        await row.save(update_fields=["state", "updated_at"])
        await _commit_tally(locked, _snapshot(row) - before, now)
        if row.ap_id:
            await enqueue(DECIDED_JOB, {"participation_id": row.id})
    return Change(row, True)


def _impact(value: Decimal | int | str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError("the impact must be a number", field="impact") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_IMPACT:
        raise ValidationError("the impact must be between 0 and 10^15", field="impact")
    return amount.quantize(Decimal("0.01"))


async def report_contribution(
    campaign: Campaign,
    actor: Actor,
    *,
    minutes: int | None,
    impact: Decimal | int | str | None = None,
    now: datetime | None = None,
) -> Change:
    """Record what a participant actually gave; replaces any earlier report."""
    now = now or utcnow()
    if minutes is not None and not 0 <= minutes <= MAX_REPORTED_MINUTES:
        raise ValidationError("the minutes given are out of range", field="minutes")
    amount = _impact(impact)
    if minutes is None and amount is None:
        raise ValidationError("report minutes, impact, or both", field="minutes")
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        if locked.state not in {CampaignState.PUBLISHED, CampaignState.ENDED}:
            raise InvalidTransition(f"campaign {locked.slug} is {locked.state}")
        row = await Participation.get_or_none(campaign_id=locked.id, participant_id=actor.id)
        if row is None or row.state != ParticipationState.ACCEPTED:
            raise NotFound(f"{actor.username} does not participate in {locked.slug}")
        before = _snapshot(row)
        row.reported_minutes = minutes
        row.reported_impact = amount
        row.reported_at = now
        row.contribution_validated = False
        delta = _snapshot(row) - before
        if locked.impact_total + delta.impact > MAX_IMPACT_TOTAL:
            raise ValidationError(
                "the campaign's impact total cannot grow that much", field="impact_total"
            )
        await row.save()
        await _commit_tally(locked, delta, now)
    return Change(row, True)


async def validate_contribution(participation: Participation, *, by: Account | None) -> Change:
    """An organiser confirms a reported contribution."""
    campaign = await Campaign.get(id=participation.campaign_id)  # type: ignore[attr-defined]
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    if participation.reported_at is None:
        raise InvalidTransition("nothing was reported yet")
    updated = await Participation.filter(id=participation.id, contribution_validated=False).update(
        contribution_validated=True
    )
    participation.contribution_validated = True
    return Change(participation, bool(updated))


async def forget_participant(actor: Actor, *, now: datetime | None = None) -> int:
    """Erase every participation of `actor` (account deleted), each count decreasing once."""
    now = now or utcnow()
    removed = 0
    for row in await Participation.filter(participant_id=actor.id).only("id", "campaign_id"):
        async with in_transaction():
            locked = await lock_campaign(row.campaign_id, now)  # type: ignore[attr-defined]
            current = await Participation.get_or_none(id=row.id)
            if current is None:
                continue
            before = _snapshot(current)
            await current.delete()
            await _commit_tally(locked, Tally() - before, now)
            removed += 1
    return removed
