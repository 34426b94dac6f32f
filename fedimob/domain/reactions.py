"""Support and shares: a Like counts as support, an Announce as a share, once per actor."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from fedimob.db import in_transaction
from fedimob.domain.participation import counts_changed
from fedimob.models import Actor, Campaign, Reaction, ReactionKind


async def react(campaign: Campaign, actor: Actor, kind: ReactionKind, ap_id: str | None) -> bool:
    """Record it; False when this actor already did (a replay or a second Like)."""
    if await Reaction.exists(campaign_id=campaign.id, actor_id=actor.id, kind=kind):
        return False
    try:
        async with in_transaction():
            await Reaction.create(campaign=campaign, actor=actor, kind=kind, ap_id=ap_id)
            await counts_changed(campaign.id)
    except IntegrityError:  # the same reaction arrived twice at once
        return False
    return True


async def unreact(actor: Actor, *, ap_id: str, campaign: Campaign | None = None,
                  kind: ReactionKind | None = None) -> bool:  # fmt: skip
    """Undo: by the reaction's id, or (when the Undo embeds it) by campaign and kind."""
    removed = await Reaction.filter(actor_id=actor.id, ap_id=ap_id).first()
    if removed is None and campaign is not None and kind is not None:
        removed = await Reaction.filter(
            actor_id=actor.id, campaign_id=campaign.id, kind=kind
        ).first()
    if removed is None:
        return False
    async with in_transaction():
        await removed.delete()
        await counts_changed(removed.campaign_id)  # type: ignore[attr-defined]
    return True


async def reaction_counts(campaign: Campaign) -> dict[ReactionKind, int]:
    return {
        kind: await Reaction.filter(campaign_id=campaign.id, kind=kind).count()
        for kind in ReactionKind
    }
