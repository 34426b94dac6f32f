"""Erasing a person's account (GDPR): their data goes, their actor leaves a tombstone.

What goes at once, in this order:
- their participations here, each count decreasing once (`forget_participant`);
- their account row, and with it e-mail, password, sessions, memberships, notices;
- their joins to other instances' campaigns, their follows both ways.

What stays: the actor row, emptied and marked deleted, with its keys, because
the `Delete` that tells the Fediverse must still be signed by them; and the
handle, so nobody can later take the name and inherit the old actor's URL.

The `Delete` itself is sent by the ACCOUNT_DELETED_JOB (federation I/O only in
jobs): its audience is computed now, while the follows and joins still exist.

A person cannot erase themselves while they are the last owner of an
association that has other members: they hand it over first (an association
always keeps an owner, see fedimob.domain.members). Alone in one, they may go;
the association then stays with the instance's admins.
"""

from __future__ import annotations

from datetime import datetime

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.participation import forget_participant
from fedimob.domain.passwords import verify_password
from fedimob.errors import Conflict, PermissionDenied
from fedimob.jobs.queue import enqueue
from fedimob.models import Account, Actor, Follow, MemberRole, Membership, RemoteJoin

ACCOUNT_DELETED_JOB = "account.deleted"


async def _remote_audience(actor: Actor) -> list[int]:
    """Remote actors who know this person: their followers, who they follow, campaigns joined."""
    ids: dict[int, None] = {}
    follows = await Follow.filter(follower_id=actor.id).select_related("followed")
    follows += await Follow.filter(followed_id=actor.id).select_related("follower")
    for follow in follows:
        other = follow.followed if follow.follower_id == actor.id else follow.follower  # type: ignore[attr-defined]
        if other.domain is not None:
            ids[other.id] = None
    joins = await RemoteJoin.filter(participant_id=actor.id).select_related("campaign")
    owners = {join.campaign.owner_id for join in joins}
    if owners:
        for owner in await Actor.filter(ap_id__in=sorted(owners), domain__isnull=False):
            ids[owner.id] = None
    return list(ids)


async def owned_alone(account: Account) -> list[str]:
    """The associations `account` is the only owner of while others are members (by name)."""
    names = []
    owned = await Membership.filter(account_id=account.id, role=MemberRole.OWNER).select_related(
        "association"
    )
    for membership in owned:
        others = Membership.filter(association_id=membership.association_id).exclude(  # type: ignore[attr-defined]
            account_id=account.id
        )
        if await others.exists() and not await others.filter(role=MemberRole.OWNER).exists():
            names.append(membership.association.name)
    return sorted(names)


async def delete_account(account: Account, password: str, *, now: datetime | None = None) -> None:
    """Erase `account` after checking its password.

    PermissionDenied for a wrong password; Conflict (field "associations") while
    they are the last owner of an association with other members.
    """
    if account.password_hash is None or not await verify_password(account.password_hash, password):
        raise PermissionDenied("the password is not right")
    if names := await owned_alone(account):
        raise Conflict(
            "hand over the ownership of " + ", ".join(names) + " first", field="associations"
        )
    await erase_account(account, now=now)


async def erase_account(account: Account, *, now: datetime | None = None) -> None:
    """Erase without a password check (the person confirmed; or an admin, by law)."""
    now = now or utcnow()
    actor = await Actor.get(id=account.actor_id)  # type: ignore[attr-defined]
    # Each participation in its own transaction, under its campaign's lock.
    await forget_participant(actor, now=now)
    audience = await _remote_audience(actor)
    async with in_transaction():
        await account.delete()  # cascades: sessions, memberships, notices
        await RemoteJoin.filter(participant_id=actor.id).delete()
        await Follow.filter(follower_id=actor.id).delete()
        await Follow.filter(followed_id=actor.id).delete()
        await Actor.filter(id=actor.id).update(
            display_name="", summary="", icon_url="", url="", deleted_at=now
        )
        if audience:
            await enqueue(ACCOUNT_DELETED_JOB, {"actor_id": actor.id, "audience": audience})
