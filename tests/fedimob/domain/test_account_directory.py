"""The admins' list of local accounts: search, status filter, pages."""

import pytest

from fedimob.db import Database
from fedimob.domain.account_deletion import erase_account
from fedimob.domain.account_directory import (
    MAX_SEARCH_LENGTH,
    AccountStatus,
    account_by_id,
    counts_by_status,
    list_accounts,
    read_search,
    read_status,
)
from fedimob.domain.accounts import create_account, disable_account, record_login
from fedimob.errors import NotFound
from tests.fedimob.factories import make_account


async def usernames(**query: object) -> list[str]:
    page = await list_accounts(**query)  # type: ignore[arg-type]
    return [row.username for row in page.rows]


async def test_every_local_account_by_username_with_what_admins_need(db: Database) -> None:
    await make_account("zoe", display_name="Zoé Martin")
    admin = await make_account("ada", is_admin=True)
    await record_login(admin)
    page = await list_accounts()
    assert (page.total, page.page, page.pages) == (2, 1, 1)
    ada, zoe = page.rows
    assert (ada.username, ada.email, ada.is_admin, ada.status) == (
        "ada",
        "ada@example.org",
        True,
        AccountStatus.ACTIVE,
    )
    assert ada.last_login_at is not None
    assert (zoe.display_name, zoe.is_admin, zoe.last_login_at) == ("Zoé Martin", False, None)
    assert zoe.created_at is not None


async def test_search_matches_username_display_name_or_email_in_any_case(db: Database) -> None:
    await make_account("camille", display_name="Camille Durand")
    await create_account(
        username="bob", email="Bob.Builder@Example.org", password=None, display_name="Robert"
    )
    await make_account("dan", display_name="Daniel")
    assert await usernames(search="CAMI") == ["camille"]
    assert await usernames(search="durand") == ["camille"]
    assert await usernames(search="builder@example") == ["bob"]
    assert await usernames(search="ROBERT") == ["bob"]
    assert await usernames(search="  dan  ") == ["dan"]
    assert await usernames(search="example.org") == ["bob", "camille", "dan"]
    assert await usernames(search="nobody") == []


@pytest.mark.parametrize(
    ("hostile", "found"),
    [
        ("n_n", ["plain_name"]),  # _ is no wildcard: plainxname does not match
        ("%", []),
        ("_", ["plain_name"]),
        ("\\", []),
        ("%_%", []),
        ("' OR 1=1 --", []),
        ("a\x00b", []),
        ("\x00", ["plain_name", "plainxname"]),  # nothing left to search for: everyone
        ("\ud800", ["plain_name", "plainxname"]),
        ("é" * 10_000, []),
    ],
)
async def test_hostile_searches_match_literally_and_never_fail(
    db: Database, hostile: str, found: list[str]
) -> None:
    await make_account("plain_name")
    await make_account("plainxname")
    assert await usernames(search=hostile) == found


def test_the_search_is_cleaned_and_bounded() -> None:
    assert read_search(None) == ""
    assert read_search(" a\x00b\tc\n ") == "a b c"
    assert len(read_search("x" * 100_000)) == MAX_SEARCH_LENGTH


async def test_filter_by_status(db: Database) -> None:
    await make_account("amy")
    gone = await make_account("gus")
    await disable_account(gone)
    assert await usernames(status=AccountStatus.ACTIVE) == ["amy"]
    assert await usernames(status=AccountStatus.SUSPENDED) == ["gus"]
    assert await usernames() == ["amy", "gus"]
    assert await usernames(search="amy", status=AccountStatus.SUSPENDED) == []
    assert await counts_by_status() == {AccountStatus.ACTIVE: 1, AccountStatus.SUSPENDED: 1}
    assert (await account_by_id(gone.id)).suspended
    assert read_status("suspended") == AccountStatus.SUSPENDED
    assert read_status("SUSPENDED") is None
    assert read_status("") is None
    assert read_status("deleted") is None


async def test_pages_cover_every_account_once_and_clamp(db: Database) -> None:
    for number in range(7):
        await make_account(f"user{number}")
    first = await list_accounts(per_page=3)
    assert (first.total, first.pages, [row.username for row in first.rows]) == (
        7,
        3,
        ["user0", "user1", "user2"],
    )
    seen = [
        row.username
        for page in range(1, 4)
        for row in (await list_accounts(per_page=3, page=page)).rows
    ]
    assert seen == [f"user{number}" for number in range(7)]
    assert (await list_accounts(per_page=3, page=99)).page == 3  # past the end: the last
    assert (await list_accounts(per_page=3, page=-5)).page == 1
    empty = await list_accounts(search="nobody", page=4)
    assert (empty.total, empty.page, empty.pages, empty.rows) == (0, 1, 1, [])


async def test_erased_accounts_are_gone_and_unknown_ids_not_found(db: Database) -> None:
    leaving = await make_account("leaving")
    await erase_account(leaving)
    assert await usernames() == []
    for account_id in (leaving.id, 0, -1, 2**63, 2**70):
        with pytest.raises(NotFound):
            await account_by_id(account_id)
