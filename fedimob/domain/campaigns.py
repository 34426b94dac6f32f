"""Campaigns: creation, the draft -> published -> ended | cancelled life, news posts."""

from __future__ import annotations

from datetime import datetime, timedelta

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.actors import create_local_actor, new_key_pems
from fedimob.domain.associations import require_organiser
from fedimob.domain.campaign_input import (
    MAX_DESCRIPTION,
    CampaignInput,
    check_deadline,
    clean_text,
    validate_campaign,
)
from fedimob.domain.names import claim_handle, lookup_name
from fedimob.domain.search_text import campaign_search_text
from fedimob.domain.text import render_markdown
from fedimob.errors import InvalidTransition, NotFound, ValidationError
from fedimob.jobs.queue import enqueue
from fedimob.models import (
    Account,
    ActorKind,
    Association,
    Campaign,
    CampaignKind,
    CampaignState,
    CampaignUpdate,
    HandleKind,
)

DEADLINE_JOB = "campaign.deadline"
# Federation announces these changes; the jobs commit with the change itself.
PUBLISHED_JOB = "campaign.published"
CANCELLED_JOB = "campaign.cancelled"
REMINDER_JOB = "campaign.reminder"  # the day before a physical action
ENDED_JOB = "campaign.ended"  # participants hear the outcome
EDITED_JOB = "campaign.edited"  # followers get the new text (a real edit: `updated` set)
REMINDER_BEFORE = timedelta(days=1)


async def create_campaign(
    association: Association,
    data: CampaignInput,
    *,
    by: Account | None,
    publish: bool = False,
    now: datetime | None = None,
) -> Campaign:
    """Create a draft (or, with `publish`, a published) campaign for the association.

    `by=None` is the instance operator (CLI); otherwise the account must organise it.
    """
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, association.id)
    fields = validate_campaign(data, now=now)
    fields["description_html"] = render_markdown(fields["description_md"])
    keys = await new_key_pems()
    async with in_transaction():
        await claim_handle(fields["slug"], HandleKind.CAMPAIGN, field="slug")
        actor = await create_local_actor(
            fields["slug"], ActorKind.GROUP, keys=keys, display_name=fields["title"],
            summary=fields["summary"],
        )  # fmt: skip
        campaign = Campaign(association=association, actor=actor, **fields)
        await set_search_text(campaign, association.name)
        await campaign.save(force_create=True)
        if publish:
            await _publish(campaign, now)
    return campaign


async def set_search_text(campaign: Campaign, association_name: str | None = None) -> None:
    """Fold the campaign's words into its `search_text`, for the save that writes them.

    Every change to its title, summary, place or categories goes through here
    (creation, `edit_campaign`, `drafts.revise_draft`), so discover's search
    reads one column, folded the same way on SQLite and PostgreSQL.
    """
    if association_name is None:
        association_id: int = campaign.association_id  # type: ignore[attr-defined]
        association_name = (await Association.get(id=association_id).only("name")).name
    campaign.search_text = campaign_search_text(
        title=campaign.title,
        summary=campaign.summary,
        association=association_name,
        place=campaign.address if campaign.kind == CampaignKind.PHYSICAL else "",
        categories=campaign.categories or (),
    )


async def get_campaign(slug: str) -> Campaign:
    name = lookup_name(slug)
    campaign = await Campaign.get_or_none(slug=name) if name else None
    if campaign is None:
        raise NotFound(f"no campaign named {slug!r}")
    return campaign


async def lock_campaign(campaign_id: int, now: datetime) -> Campaign:
    """Take the campaign's row lock for the rest of the transaction, then read it.

    An UPDATE as first statement is the portable lock: PostgreSQL locks the
    row, SQLite takes its write lock before we read anything.
    """
    await Campaign.filter(id=campaign_id).update(updated_at=now)
    return await Campaign.get(id=campaign_id)


async def _publish(campaign: Campaign, now: datetime) -> None:
    if campaign.state != CampaignState.DRAFT:
        raise InvalidTransition(f"campaign {campaign.slug} is {campaign.state}, not a draft")
    check_deadline(campaign.deadline, now)
    campaign.state = CampaignState.PUBLISHED
    campaign.published_at = now
    await campaign.save(update_fields=["state", "published_at", "updated_at"])
    await enqueue(DEADLINE_JOB, {"campaign_id": campaign.id}, run_at=campaign.deadline)
    await enqueue(PUBLISHED_JOB, {"campaign_id": campaign.id})
    if campaign.starts_at is not None and campaign.starts_at - REMINDER_BEFORE > now:
        await enqueue(
            REMINDER_JOB, {"campaign_id": campaign.id}, run_at=campaign.starts_at - REMINDER_BEFORE
        )


async def publish_campaign(
    campaign: Campaign, *, by: Account | None = None, now: datetime | None = None
) -> Campaign:
    """Publish a draft; its deadline job is queued in the same transaction."""
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        await _publish(locked, now)
    return locked


async def edit_campaign(
    campaign: Campaign,
    *,
    by: Account | None = None,
    title: str | None = None,
    summary: str | None = None,
    description: str | None = None,
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> Campaign:
    """Change what a campaign says, or move its deadline; `None` leaves a field as it is."""
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        if locked.state not in {CampaignState.DRAFT, CampaignState.PUBLISHED}:
            raise InvalidTransition(f"campaign {locked.slug} has {locked.state}: it is final")
        if title is not None:
            locked.title = clean_text(title, field="title", maximum=200, required=True)
        if summary is not None:
            locked.summary = clean_text(summary, field="summary", maximum=500)
        if description is not None:
            locked.description_md = clean_text(
                description, field="description", maximum=MAX_DESCRIPTION
            )
            locked.description_html = render_markdown(locked.description_md)
        moved = deadline is not None and deadline != locked.deadline
        if deadline is not None:
            check_deadline(deadline, now)
            locked.deadline = deadline
        locked.edited_at = now
        await set_search_text(locked)
        await locked.save()
        if locked.state == CampaignState.PUBLISHED:
            if moved:  # the old job finds the deadline later and does nothing
                await enqueue(DEADLINE_JOB, {"campaign_id": locked.id}, run_at=locked.deadline)
            await enqueue(EDITED_JOB, {"campaign_id": locked.id})
    return locked


async def cancel_campaign(
    campaign: Campaign, *, by: Account | None = None, now: datetime | None = None
) -> Campaign:
    """Cancel a draft or a running campaign; an ended one keeps its outcome."""
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        if locked.state not in {CampaignState.DRAFT, CampaignState.PUBLISHED}:
            raise InvalidTransition(f"campaign {locked.slug} has already {locked.state}")
        was_public = locked.state == CampaignState.PUBLISHED
        locked.state = CampaignState.CANCELLED
        locked.cancelled_at = now
        await locked.save(update_fields=["state", "cancelled_at", "updated_at"])
        if was_public:
            await enqueue(CANCELLED_JOB, {"campaign_id": locked.id})
    return locked


async def post_update(
    campaign: Campaign,
    *,
    by: Account | None,
    body: str,
    title: str = "",
    now: datetime | None = None,
) -> CampaignUpdate:
    """Publish a news post on the campaign (organisers only)."""
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    if campaign.state == CampaignState.DRAFT:
        raise InvalidTransition("publish the campaign before posting news")
    text = body.strip()
    if not text or len(text) > 20_000:
        raise ValidationError("the update must be 1 to 20,000 characters long", field="body")
    if len(title) > 200:
        raise ValidationError("the title is too long (200 at most)", field="title")
    return await CampaignUpdate.create(
        campaign=campaign,
        author=by,
        title=title.strip(),
        body_md=text,
        body_html=render_markdown(text),
        published_at=now or utcnow(),
    )


async def list_campaigns(
    *,
    states: tuple[CampaignState, ...] = (CampaignState.PUBLISHED,),
    association_id: int | None = None,
    newest_first: bool = False,
    limit: int = 50,
) -> list[Campaign]:
    """Campaigns in the given states (of one association, if given).

    Ending soonest first, or with `newest_first` the latest deadlines first
    (for ended campaigns).
    """
    query = Campaign.filter(state__in=list(states))
    if association_id is not None:
        query = query.filter(association_id=association_id)
    order = ("-deadline", "-id") if newest_first else ("deadline", "id")
    return await query.select_related("association").order_by(*order).limit(limit)
