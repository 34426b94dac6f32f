"""Web sessions kept on the server: revocable, rotated at login, expiring when idle.

The browser's cookie holds a random token; the database keeps only its SHA-256,
so a leaked database (or backup) opens no session. A session lives while it is
used: each use pushes its expiry `IDLE_LIFETIME` ahead, but at most once per
`TOUCH_INTERVAL`, so a busy page does not write on every request.

A session that holds nothing but a CSRF token (a visitor who only opened a
form page) lives `ANONYMOUS_LIFETIME` only: such rows would otherwise pile up
for a month, one per cookieless visit to /login.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.models import Account, WebSession

IDLE_LIFETIME = timedelta(days=30)
ANONYMOUS_LIFETIME = timedelta(hours=2)
TOUCH_INTERVAL = timedelta(minutes=1)
TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh unguessable token (cookie value or CSRF token)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(account: object, data: dict[str, Any] | None) -> timedelta:
    """A month for a person or a remembered choice; two hours for a bare form token."""
    return IDLE_LIFETIME if account is not None or data else ANONYMOUS_LIFETIME


async def create_session(
    token: str,
    *,
    csrf_token: str,
    account: Account | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> WebSession:
    """Store a session for `token` (made with `new_token()`)."""
    now = now or utcnow()
    return await WebSession.create(
        token_hash=token_hash(token),
        account=account,
        csrf_token=csrf_token,
        data=dict(data or {}),
        created_at=now,
        last_seen_at=now,
        expires_at=now + _lifetime(account, data),
    )


async def load_session(token: str, *, now: datetime | None = None) -> WebSession | None:
    """The live session behind a cookie token, or None (unknown, expired, account disabled)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    session = await WebSession.get_or_none(token_hash=token_hash(token)).select_related("account")
    if session is None:
        return None
    account = session.account
    if session.expires_at <= now or (account is not None and not account.is_active):
        await WebSession.filter(id=session.id).delete()
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        lifetime = _lifetime(account, session.data)
        session.last_seen_at, session.expires_at = now, now + lifetime
        await WebSession.filter(id=session.id).update(
            last_seen_at=session.last_seen_at, expires_at=session.expires_at
        )
    return session


async def save_session_data(session_id: int, data: dict[str, Any]) -> None:
    await WebSession.filter(id=session_id).update(data=dict(data))


async def rotate_session(
    old_session_id: int | None,
    account: Account,
    *,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[str, WebSession]:
    """Log in: a new token and CSRF token for `account`, the old session gone.

    A new token at login defeats session fixation: a token planted before the
    login (or seen by someone else) opens nothing afterwards.
    """
    token = new_token()
    async with in_transaction():
        if old_session_id is not None:
            await WebSession.filter(id=old_session_id).delete()
        session = await create_session(
            token, csrf_token=new_token(), account=account, data=data, now=now
        )
    return token, session


async def revoke_session(session_id: int) -> None:
    await WebSession.filter(id=session_id).delete()


async def revoke_account_sessions(account_id: int, *, keep: int | None = None) -> int:
    """End every session of an account (password change, disabling), except `keep`."""
    query = WebSession.filter(account_id=account_id)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.delete()


async def purge_expired_sessions(now: datetime | None = None) -> int:
    """Forget sessions idle past their expiry (worker maintenance)."""
    return await WebSession.filter(expires_at__lte=now or utcnow()).delete()
