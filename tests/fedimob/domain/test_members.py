import asyncio
import contextlib

import pytest

from fedimob.db import Database
from fedimob.domain.associations import add_member, role_of
from fedimob.domain.members import (
    add_member_by_username,
    change_role,
    is_owner,
    members_of,
    remove_member,
)
from fedimob.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from fedimob.models import Account, MemberRole, Membership
from tests.fedimob.factories import make_account, make_association


async def test_owners_add_members_by_username(db: Database) -> None:
    owner = await make_account("olga")
    association = await make_association(owner)
    await make_account("nina")
    membership = await add_member_by_username(
        association, " @Nina ", MemberRole.ORGANISER, by=owner
    )
    assert membership.role == MemberRole.ORGANISER
    assert [m.account.username for m in await members_of(association)] == ["olga", "nina"]
    with pytest.raises(Conflict):
        await add_member_by_username(association, "nina", MemberRole.OWNER, by=owner)
    with pytest.raises(NotFound):
        await add_member_by_username(association, "nobody", MemberRole.OWNER, by=owner)
    with pytest.raises(NotFound):
        await add_member_by_username(association, "\x00" * 5000, MemberRole.OWNER, by=owner)


async def test_disabled_accounts_cannot_be_added(db: Database) -> None:
    owner = await make_account()
    association = await make_association(owner)
    gone = await make_account("gone")
    await Account.filter(id=gone.id).update(is_active=False)
    with pytest.raises(NotFound):
        await add_member_by_username(association, "gone", MemberRole.ORGANISER, by=owner)


async def test_only_owners_and_admins_change_members(db: Database) -> None:
    owner = await make_account()
    association = await make_association(owner)
    organiser = await make_account()
    await add_member(association, organiser, MemberRole.ORGANISER)
    other_owner = await make_account()
    await make_association(other_owner)  # owner of another association: no say in this one
    admin = await make_account(is_admin=True)
    newcomer = await make_account("newcomer")
    for outsider in (organiser, other_owner):
        assert not await is_owner(outsider, association.id)
        with pytest.raises(PermissionDenied):
            await add_member_by_username(association, "newcomer", MemberRole.OWNER, by=outsider)
        with pytest.raises(PermissionDenied):
            await change_role(association, organiser.id, MemberRole.OWNER, by=outsider)
        with pytest.raises(PermissionDenied):
            await remove_member(association, owner.id, by=outsider)
    await add_member_by_username(association, "newcomer", MemberRole.ORGANISER, by=admin)
    assert await role_of(newcomer, association.id) == MemberRole.ORGANISER


async def test_the_last_owner_stays(db: Database) -> None:
    owner = await make_account()
    association = await make_association(owner)
    with pytest.raises(InvalidTransition):
        await change_role(association, owner.id, MemberRole.ORGANISER, by=owner)
    with pytest.raises(InvalidTransition):
        await remove_member(association, owner.id, by=owner)
    second = await make_account()
    await add_member(association, second, MemberRole.OWNER)
    await change_role(association, owner.id, MemberRole.ORGANISER, by=owner)
    assert await role_of(owner, association.id) == MemberRole.ORGANISER
    with pytest.raises(InvalidTransition):
        await remove_member(association, second.id, by=second)
    await remove_member(association, owner.id, by=second)
    assert await role_of(owner, association.id) is None
    with pytest.raises(NotFound):
        await remove_member(association, owner.id, by=second)
    with pytest.raises(NotFound):
        await change_role(association, 2**70, MemberRole.OWNER, by=second)


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(db: Database) -> None:
    first = await make_account()
    association = await make_association(first)
    second = await make_account()
    await add_member(association, second, MemberRole.OWNER)

    async def demote(who: int, by: Account) -> None:
        # The one who acts second is refused: no longer an owner, or the last one left.
        with contextlib.suppress(InvalidTransition, PermissionDenied):
            await change_role(association, who, MemberRole.ORGANISER, by=by)

    await asyncio.gather(demote(first.id, second), demote(second.id, first))
    owners = await Membership.filter(association_id=association.id, role=MemberRole.OWNER).count()
    assert owners == 1


async def test_a_member_of_another_association_is_not_found_here(db: Database) -> None:
    owner = await make_account()
    association = await make_association(owner)
    elsewhere = await make_account()
    await make_association(elsewhere)
    with pytest.raises(NotFound):
        await change_role(association, elsewhere.id, MemberRole.ORGANISER, by=owner)
    with pytest.raises(NotFound):
        await remove_member(association, elsewhere.id, by=owner)
