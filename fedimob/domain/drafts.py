"""Revising a draft: every field of a campaign may change until it is published.

Once published, a campaign changes through `campaigns.edit_campaign` (its text
and deadline, federated as an Update); a draft is seen by nobody yet, so its
goal, place, pledges and the rest are all still open. Its short name (slug) is
its handle and actor, claimed at creation: it stays.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.associations import require_organiser
from fedimob.domain.campaign_input import CampaignInput, validate_campaign
from fedimob.domain.campaigns import lock_campaign, set_search_text
from fedimob.domain.text import render_markdown
from fedimob.errors import InvalidTransition
from fedimob.models import Account, Actor, Campaign, CampaignState


async def revise_draft(
    campaign: Campaign,
    data: CampaignInput,
    *,
    by: Account | None,
    now: datetime | None = None,
) -> Campaign:
    """Replace a draft's fields with `data` (validated as at creation; the slug is kept)."""
    now = now or utcnow()
    if by is not None:
        await require_organiser(by, campaign.association_id)  # type: ignore[attr-defined]
    fields = validate_campaign(replace(data, slug=campaign.slug), now=now)
    fields.pop("slug")
    fields["description_html"] = render_markdown(fields["description_md"])
    async with in_transaction():
        locked = await lock_campaign(campaign.id, now)
        if locked.state != CampaignState.DRAFT:
            raise InvalidTransition(f"campaign {locked.slug} is {locked.state}, not a draft")
        for name, value in fields.items():
            setattr(locked, name, value)
        await set_search_text(locked)
        await locked.save()
        # Nobody follows a draft's actor yet: its name and summary just follow the text.
        await Actor.filter(id=locked.actor_id).update(  # type: ignore[attr-defined]
            display_name=fields["title"], summary=fields["summary"]
        )
    return locked
