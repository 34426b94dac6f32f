"""In-app notices: what local people learn on the site (remote people get a message).

A notice with a `key` is written at most once, so a job that runs again
(retries, redeliveries) never repeats a reminder.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from tortoise.exceptions import IntegrityError

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.models import Account, Notice

MAX_TEXT = 2000
PAGE = 50
MAX_KEY = 200


async def notify(
    account_id: int,
    kind: str,
    text: str,
    *,
    url: str = "",
    key: str | None = None,
    now: datetime | None = None,
) -> Notice | None:
    """Add a notice; None if one with the same `key` exists already."""
    if key is not None and len(key) > MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    if key is not None and await Notice.exists(key=key):
        return None
    try:
        async with in_transaction():  # a savepoint when called inside a caller's transaction
            return await Notice.create(
                account_id=account_id,
                kind=kind[:32],
                text=text[:MAX_TEXT],
                url=url[:2048],
                key=key,
                created_at=now or utcnow(),
            )
    except IntegrityError:  # the same key, written meanwhile
        return None


async def notices_of(account: Account, *, limit: int = PAGE) -> list[Notice]:
    """Newest first."""
    return await Notice.filter(account_id=account.id).order_by("-created_at", "-id").limit(limit)


async def unread_count(account: Account) -> int:
    return await Notice.filter(account_id=account.id, read_at__isnull=True).count()


async def mark_all_read(account: Account, *, now: datetime | None = None) -> int:
    return await Notice.filter(account_id=account.id, read_at__isnull=True).update(
        read_at=now or utcnow()
    )
