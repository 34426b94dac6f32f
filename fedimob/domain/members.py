"""Who runs an association: its members' roles, changed by its owners.

Owners add members, change roles and remove members; organisers run
campaigns. An association always keeps at least one owner: each change that
could take the last one away runs under the association's row lock, so two
owners demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.accounts import get_account
from fedimob.domain.associations import role_of
from fedimob.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from fedimob.models import Account, Association, MemberRole, Membership

MAX_ID = 2**63


async def members_of(association: Association) -> list[Membership]:
    """The association's memberships, owners first, then by username (accounts loaded)."""
    memberships = await Membership.filter(association_id=association.id).select_related("account")
    order = {MemberRole.OWNER: 0, MemberRole.ORGANISER: 1}
    return sorted(memberships, key=lambda m: (order.get(m.role, 2), m.account.username))


async def is_owner(account: Account, association_id: int) -> bool:
    """True for the association's owners, and the instance's admins."""
    return account.is_admin or await role_of(account, association_id) == MemberRole.OWNER


async def require_owner(account: Account, association_id: int) -> None:
    if not await is_owner(account, association_id):
        raise PermissionDenied("only the association's owners may change its members")


async def _lock(association: Association, now: datetime) -> None:
    """The association's row lock for the rest of the transaction (see lock_campaign)."""
    await Association.filter(id=association.id).update(updated_at=now)


async def _membership(association: Association, account_id: int) -> Membership:
    found = (
        await Membership.get_or_none(association_id=association.id, account_id=account_id)
        if 0 < account_id < MAX_ID
        else None
    )
    if found is None:
        raise NotFound("this person is not a member of the association")
    return found


async def _keep_an_owner(association: Association, leaving: Membership) -> None:
    if leaving.role != MemberRole.OWNER:
        return
    owners = await Membership.filter(association_id=association.id, role=MemberRole.OWNER).count()
    if owners <= 1:
        raise InvalidTransition("an association keeps at least one owner")


async def add_member_by_username(
    association: Association,
    username: str,
    role: MemberRole,
    *,
    by: Account | None,
    now: datetime | None = None,
) -> Membership:
    """Make the account named `username` a member with `role`.

    NotFound (field "username") for no such active account; Conflict if they
    are a member already (change their role instead).
    """
    if by is not None:
        await require_owner(by, association.id)
    try:
        account = await get_account(username)
    except NotFound:
        account = None
    if account is None or not account.is_active:
        raise NotFound(f"no user named {username.strip()[:64]!r}")
    async with in_transaction():
        await _lock(association, now or utcnow())
        if await Membership.exists(association_id=association.id, account_id=account.id):
            raise Conflict(f"{account.username} is already a member", field="username")
        return await Membership.create(association=association, account=account, role=role)


async def change_role(
    association: Association,
    account_id: int,
    role: MemberRole,
    *,
    by: Account | None,
    now: datetime | None = None,
) -> Membership:
    """Give a member another role; the last owner cannot become an organiser."""
    async with in_transaction():
        await _lock(association, now or utcnow())
        if by is not None:  # under the lock: an owner demoted a moment ago acts no more
            await require_owner(by, association.id)
        membership = await _membership(association, account_id)
        if membership.role == role:
            return membership
        await _keep_an_owner(association, membership)
        membership.role = role
        await membership.save(update_fields=["role"])
    return membership


async def remove_member(
    association: Association,
    account_id: int,
    *,
    by: Account | None,
    now: datetime | None = None,
) -> None:
    """Take a member out of the association; never its last owner."""
    async with in_transaction():
        await _lock(association, now or utcnow())
        if by is not None:  # under the lock: an owner demoted a moment ago acts no more
            await require_owner(by, association.id)
        membership = await _membership(association, account_id)
        await _keep_an_owner(association, membership)
        await membership.delete()
