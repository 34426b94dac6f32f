"""Finding the local actor behind a name, an id or a URL."""

from __future__ import annotations

from dataclasses import dataclass

from fedimob.domain.actors import INSTANCE_ACTOR_NAME, instance_actor
from fedimob.domain.names import lookup_name
from fedimob.domain.summaries import campaign_path
from fedimob.models import (
    Account,
    Actor,
    ActorKind,
    Association,
    Campaign,
    CampaignState,
    Handle,
    HandleKind,
)

HANDLE_KINDS = {
    HandleKind.ACCOUNT: ActorKind.PERSON,
    HandleKind.ASSOCIATION: ActorKind.ORGANIZATION,
    HandleKind.CAMPAIGN: ActorKind.GROUP,
}


@dataclass(frozen=True, slots=True)
class LocalActor:
    actor: Actor
    profile_path: str
    campaign: Campaign | None = None


async def local_actor(kind: ActorKind, name: str) -> LocalActor | None:
    """The public local actor of that kind and name (drafts and disabled accounts hidden)."""
    if kind == ActorKind.APPLICATION:
        return LocalActor(await instance_actor(), "/")
    checked = lookup_name(name)
    if checked is None:
        return None
    name = checked
    if kind == ActorKind.PERSON:
        account = await Account.get_or_none(username=name, is_active=True).select_related("actor")
        return LocalActor(account.actor, f"/users/{name}") if account else None
    if kind == ActorKind.ORGANIZATION:
        association = await Association.get_or_none(username=name).select_related("actor")
        return LocalActor(association.actor, f"/associations/{name}") if association else None
    if kind == ActorKind.GROUP:
        campaign = await Campaign.get_or_none(slug=name).select_related("actor")
        if campaign is None or campaign.state == CampaignState.DRAFT:
            return None
        return LocalActor(campaign.actor, campaign_path(name), campaign)
    return None


async def erased_person(name: str) -> Actor | None:
    """The tombstone left by an erased account of that name, if any."""
    checked = lookup_name(name)
    if checked is None:
        return None
    return await Actor.get_or_none(
        username=checked, kind=ActorKind.PERSON, domain__isnull=True, deleted_at__isnull=False
    )


async def local_actor_by_handle(name: str) -> LocalActor | None:
    """The actor a WebFinger `acct:name@our.domain` designates."""
    checked = lookup_name(name)
    if checked is None:
        return None
    if checked == INSTANCE_ACTOR_NAME:
        return await local_actor(ActorKind.APPLICATION, checked)
    handle = await Handle.get_or_none(name=checked)
    if handle is None or handle.kind not in HANDLE_KINDS:
        return None
    return await local_actor(HANDLE_KINDS[HandleKind(handle.kind)], checked)
