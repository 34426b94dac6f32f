import pytest

from fedimob.db import Database
from fedimob.domain.accounts import authenticate, create_account, get_account
from fedimob.domain.names import normalise_handle
from fedimob.errors import Conflict, NotFound, ValidationError
from fedimob.models import Account, Actor, Handle
from tests.fedimob.factories import make_account, make_association, make_campaign


async def test_account_gets_a_local_actor_and_its_handle(db: Database) -> None:
    account = await create_account(
        username="Alice", email="alice@EXAMPLE.org", password=None, display_name="Alice A."
    )
    actor = await account.actor
    assert account.username == "alice"
    assert account.email == "alice@example.org"
    assert actor.is_local
    assert actor.username == "alice"
    assert await Handle.exists(name="alice")


async def test_password_is_hashed_with_argon2id_and_checked(db: Database) -> None:
    await create_account(username="bob", email="bob@example.org", password="correct horse battery")
    account = await Account.get(username="bob")
    assert account.password_hash is not None
    assert account.password_hash.startswith("$argon2id$")
    assert "correct horse" not in account.password_hash
    assert (await authenticate("bob", "correct horse battery")) is not None
    assert await authenticate("bob", "wrong password!") is None
    assert await authenticate("nobody", "correct horse battery") is None


async def test_account_without_password_cannot_log_in(db: Database) -> None:
    await create_account(username="carol", email="carol@example.org", password=None)
    assert await authenticate("carol", "") is None


async def test_short_password_is_refused_and_nothing_is_stored(db: Database) -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        await create_account(username="dave", email="dave@example.org", password="short")
    assert not await Account.exists(username="dave")
    assert not await Handle.exists(name="dave")


async def test_duplicate_username_and_email_conflict(db: Database) -> None:
    await make_account("erin")
    with pytest.raises(Conflict, match="taken"):
        await create_account(username="ERIN", email="other@example.org", password=None)
    with pytest.raises(Conflict, match="already exists"):
        await create_account(username="erin2", email="erin@example.org", password=None)
    assert await Account.all().count() == 1
    assert await Actor.all().count() == 1


async def test_one_namespace_for_people_associations_and_campaigns(db: Database) -> None:
    owner = await make_account("owner")
    await make_association(owner, username="rivers")
    await make_campaign(slug="cleanup")
    with pytest.raises(Conflict):
        await make_account("rivers")
    with pytest.raises(Conflict):
        await make_association(owner, username="cleanup")
    with pytest.raises(Conflict):
        await make_campaign(slug="owner")


@pytest.mark.parametrize(
    "bad",
    ["", "a b", "ÉLodie", "x" * 65, "-start", "end-", "double..dot.", "admin", "<script>", "a\nb"],
)
def test_invalid_or_reserved_handles_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        normalise_handle(bad)


@pytest.mark.parametrize("good", ["alice", "les_amis", "a.b-c", "x1", "@Camille"])
def test_valid_handles_match_mastodons_pattern(good: str) -> None:
    assert normalise_handle(good) == good.lower().lstrip("@")


@pytest.mark.parametrize(
    "bad", ["no-at-sign", "a@b", "two@@example.org", "sp ace@example.org", "x" * 250 + "@e.org"]
)
async def test_invalid_email_is_refused(db: Database, bad: str) -> None:
    with pytest.raises(ValidationError, match="e-mail"):
        await create_account(username="frank", email=bad, password=None)


async def test_unknown_user_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="no user named"):
        await get_account("ghost")
