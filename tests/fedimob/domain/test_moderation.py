"""What admins do to local accounts: suspend, reinstate, grant and revoke admin rights."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from fedimob.db import Database, in_transaction
from fedimob.domain.accounts import authenticate
from fedimob.domain.moderation import (
    MAX_REASON_LENGTH,
    grant_admin,
    read_reason,
    reinstate_account,
    revoke_admin,
    suspend_account,
)
from fedimob.domain.sessions import create_session, load_session, new_token
from fedimob.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from fedimob.federation.local_actors import local_actor
from fedimob.models import Account, ActorKind, Membership, WebSession
from tests.fedimob.factories import make_account, make_association

PASSWORD = "correct horse battery"


async def test_suspending_ends_sessions_hides_the_actor_and_reinstating_undoes_it(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await make_account("ada", is_admin=True)
    bob = await make_account("bob", password=PASSWORD)
    association = await make_association(bob)
    token = new_token()
    await create_session(token, csrf_token=new_token(), account=bob)
    caplog.set_level("INFO", logger="fedimob.audit")

    change = await suspend_account(bob.id, "  spam\n in   every campaign ", by=admin)
    assert (change.username, change.changed) == ("bob", True)
    assert "admin ada suspended account bob (reason: 'spam in every campaign')" in caplog.text
    assert await authenticate("bob", PASSWORD) is None
    assert await load_session(token) is None
    assert not await WebSession.filter(account_id=bob.id).exists()
    assert await local_actor(ActorKind.PERSON, "bob") is None
    again = await suspend_account(bob.id, "twice", by=admin)
    assert not again.changed
    assert caplog.text.count("suspended account bob") == 1

    change = await reinstate_account(bob.id, by=admin)
    assert (change.username, change.changed) == ("bob", True)
    assert "admin ada reinstated account bob" in caplog.text
    assert await authenticate("bob", PASSWORD) is not None
    assert await local_actor(ActorKind.PERSON, "bob") is not None
    # Exactly the inverse: what suspension left alone is as it was.
    bob_now = await Account.get(id=bob.id)
    assert (bob_now.is_active, bob_now.is_admin, bob_now.email) == (True, False, bob.email)
    assert await Membership.exists(association_id=association.id, account_id=bob.id)
    assert not (await reinstate_account(bob.id, by=admin)).changed
    assert caplog.text.count("reinstated account bob") == 1


async def test_a_suspended_admin_stays_an_admin_once_reinstated(db: Database) -> None:
    ada = await make_account("ada", is_admin=True)
    ben = await make_account("ben", is_admin=True)
    await suspend_account(ben.id, "lost laptop", by=ada)
    assert (await Account.get(id=ben.id)).is_admin
    await reinstate_account(ben.id, by=ada)
    ben_now = await Account.get(id=ben.id)
    assert (ben_now.is_active, ben_now.is_admin) == (True, True)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", "x" * (MAX_REASON_LENGTH + 1), "bell \x07"])
async def test_a_suspension_needs_a_reasonable_reason(db: Database, reason: str) -> None:
    admin = await make_account(is_admin=True)
    bob = await make_account("bob")
    with pytest.raises(ValidationError) as refused:
        await suspend_account(bob.id, reason, by=admin)
    assert refused.value.field == "reason"
    assert (await Account.get(id=bob.id)).is_active


def test_reasons_are_kept_on_one_line() -> None:
    assert read_reason(" a\r\nb ") == "a b"
    assert len(read_reason("y" * MAX_REASON_LENGTH)) == MAX_REASON_LENGTH


async def test_nobody_suspends_themselves_or_takes_their_own_rights(db: Database) -> None:
    admin = await make_account("ada", is_admin=True)
    with pytest.raises(PermissionDenied):
        await suspend_account(admin.id, "oops", by=admin)
    with pytest.raises(PermissionDenied):
        await revoke_admin(admin.id, by=admin)
    assert not (await reinstate_account(admin.id, by=admin)).changed  # active: nothing to do
    assert not (await grant_admin(admin.id, by=admin)).changed
    admin_now = await Account.get(id=admin.id)
    assert (admin_now.is_active, admin_now.is_admin) == (True, True)


async def test_granting_and_revoking_admin_rights(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ada = await make_account("ada", is_admin=True)
    bob = await make_account("bob")
    caplog.set_level("INFO", logger="fedimob.audit")
    assert (await grant_admin(bob.id, by=ada)).changed
    assert (await Account.get(id=bob.id)).is_admin
    assert "admin ada granted admin rights to bob" in caplog.text
    assert not (await grant_admin(bob.id, by=ada)).changed
    assert (await revoke_admin(bob.id, by=ada)).changed
    assert not (await Account.get(id=bob.id)).is_admin
    assert "admin ada revoked the admin rights of bob" in caplog.text
    assert not (await revoke_admin(bob.id, by=ada)).changed


async def test_a_suspended_account_is_not_made_admin(db: Database) -> None:
    ada = await make_account("ada", is_admin=True)
    bob = await make_account("bob")
    await suspend_account(bob.id, "spam", by=ada)
    with pytest.raises(InvalidTransition):
        await grant_admin(bob.id, by=ada)
    assert not (await Account.get(id=bob.id)).is_admin


async def test_only_admins_act_and_a_former_admin_no_longer_can(db: Database) -> None:
    ada = await make_account("ada", is_admin=True)
    ben = await make_account("ben", is_admin=True)
    vera = await make_account("vera")
    for action in (
        suspend_account(ada.id, "coup", by=vera),
        reinstate_account(ada.id, by=vera),
        grant_admin(vera.id, by=vera),
        revoke_admin(ada.id, by=vera),
    ):
        with pytest.raises(PermissionDenied):
            await action
    await revoke_admin(ben.id, by=ada)
    # ben's Account object still says admin (a page loaded before): the rows decide.
    with pytest.raises(PermissionDenied):
        await revoke_admin(ada.id, by=ben)
    assert (await Account.get(id=ada.id)).is_admin


async def test_unknown_accounts_are_not_found(db: Database) -> None:
    admin = await make_account(is_admin=True)
    for account_id in (admin.id + 100, 0, -3, 2**63, 2**80):
        for action in (
            suspend_account(account_id, "why", by=admin),
            reinstate_account(account_id, by=admin),
            grant_admin(account_id, by=admin),
            revoke_admin(account_id, by=admin),
        ):
            with pytest.raises(NotFound):
                await action


async def race(first: Awaitable[object], second: Callable[[], Awaitable[object]]) -> None:
    """Run `first` in a transaction kept open while `second` starts; then let both finish.

    `second` must wait for `first` (the admins' locks): if it could finish
    while `first` is still open, each would read the other's admin as there.
    (PostgreSQL shows the difference; SQLite's one connection serialises them anyway.)
    """
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_open() -> None:
        async with in_transaction():
            await first
            holding.set()
            await release.wait()

    held = asyncio.create_task(hold_open())
    await holding.wait()
    waiting = asyncio.create_task(second())
    await asyncio.wait({waiting}, timeout=0.3)
    release.set()
    await held
    with contextlib.suppress(PermissionDenied, InvalidTransition):
        await waiting


async def test_two_admins_removing_each_other_at_once_leave_one(db: Database) -> None:
    ada = await make_account("ada", is_admin=True)
    ben = await make_account("ben", is_admin=True)
    await race(revoke_admin(ben.id, by=ada), lambda: revoke_admin(ada.id, by=ben))
    assert await Account.filter(is_admin=True, is_active=True).count() == 1
    assert (await Account.get(id=ada.id)).is_admin


async def test_two_admins_suspending_each_other_at_once_leave_one(db: Database) -> None:
    ada = await make_account("ada", is_admin=True)
    ben = await make_account("ben", is_admin=True)
    await race(
        suspend_account(ben.id, "takeover", by=ada),
        lambda: suspend_account(ada.id, "takeover", by=ben),
    )
    assert await Account.filter(is_admin=True, is_active=True).count() == 1
    assert (await Account.get(id=ada.id)).is_active
