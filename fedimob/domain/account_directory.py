"""The local accounts as the instance's admins see them: searched, filtered, in pages.

This list shows e-mail addresses: admins may need them (to answer a person,
to understand a report). Nothing here is for public pages; the web serves it
on /admin/accounts only.

Erased accounts have no row any more (see `account_deletion`), so they are
not listed; suspended ones are, until an admin reinstates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import Q

from fedimob.errors import NotFound
from fedimob.models import Account

PER_PAGE = 50
# Longer than any username, display name or e-mail address: nothing longer can match.
MAX_SEARCH_LENGTH = 254
MAX_ID = 2**63  # ids are 64-bit: a larger one is found nowhere (and must not reach SQL)


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    email: str
    created_at: datetime
    last_login_at: datetime | None
    status: AccountStatus
    is_admin: bool

    @property
    def suspended(self) -> bool:
        return self.status == AccountStatus.SUSPENDED


@dataclass(frozen=True, slots=True)
class AccountPage:
    rows: list[AccountRow]
    total: int  # matching the search and the filter
    page: int
    pages: int


def read_search(text: str | None) -> str:
    """The search as used: no control characters, one space between words, bounded."""
    if not text:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_SEARCH_LENGTH * 4])
    return " ".join(printable.split())[:MAX_SEARCH_LENGTH].strip()


def read_status(value: str | None) -> AccountStatus | None:
    """The status filter asked for, or None (every account) for anything else."""
    try:
        return AccountStatus(value) if value else None
    except ValueError:
        return None


def _row(account: Account) -> AccountRow:
    return AccountRow(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        email=account.email,
        created_at=account.created_at,
        last_login_at=account.last_login_at,
        status=AccountStatus.ACTIVE if account.is_active else AccountStatus.SUSPENDED,
        is_admin=account.is_admin,
    )


async def list_accounts(
    *,
    search: str = "",
    status: AccountStatus | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AccountPage:
    """One page of local accounts by username, matching `search` (any case) and `status`.

    The search is a substring of the username, the display name or the e-mail
    address (LIKE wildcards in it are taken literally). A page past the last
    one shows the last one.
    """
    query = Account.all()
    text = read_search(search)
    if text:
        query = query.filter(
            Q(username__icontains=text) | Q(display_name__icontains=text) | Q(email__icontains=text)
        )
    if status is not None:
        query = query.filter(is_active=status == AccountStatus.ACTIVE)
    total = await query.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    accounts = await query.order_by("username").offset((page - 1) * per_page).limit(per_page)
    return AccountPage([_row(account) for account in accounts], total, page, pages)


async def counts_by_status() -> dict[AccountStatus, int]:
    """How many local accounts are active, and how many suspended."""
    active = await Account.filter(is_active=True).count()
    suspended = await Account.filter(is_active=False).count()
    return {AccountStatus.ACTIVE: active, AccountStatus.SUSPENDED: suspended}


async def account_by_id(account_id: int) -> AccountRow:
    """One local account's row; NotFound for an id that is no account's."""
    account = await Account.get_or_none(id=account_id) if 0 < account_id < MAX_ID else None
    if account is None:
        raise NotFound(f"no account {account_id}")
    return _row(account)
