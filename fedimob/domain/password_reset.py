"""Resetting a forgotten password with a link sent by e-mail.

The link's token is stateless: `<account id>.<expiry>.<mac>`, where the MAC
(HMAC-SHA256 under a key derived from the instance secret) covers the id, the
expiry (one hour after the request) and a fingerprint of the account as it is
now: its password hash, e-mail address and last login. So a token

- works once: setting the password changes the hash (argon2 salts every hash,
  even for the same password), and the change is a conditional update on the
  old hash, so two tabs racing with one link cannot both win;
- dies when the password changes any other way, when the person logs in, or
  when their address changes;
- opens nothing for a suspended account, nor after the hour.

The job table holds no token: the job that mails it computes it from the
account id and expiry it is given. The one place a token waits is the
person's own session row, server side, while they type the new password
(web/password_reset.py): at most the hour it is valid, and gone once used,
since the reset starts a new session.

Asking (`request_password_reset`) looks the address up and queues the mail in
the same transaction, or queues nothing; the caller shows the same page
either way. The public form only serves active accounts that have a
password; `reset_link()` (the admin's `fedimob reset-password`) also lets a
login-less account get one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.accounts import PASSWORD_CHANGED_JOB, normalise_email
from fedimob.domain.passwords import hash_password
from fedimob.domain.sessions import revoke_account_sessions
from fedimob.errors import NotFound, PermissionDenied, ValidationError
from fedimob.jobs.queue import SOON, enqueue
from fedimob.models import Account
from fedimob.settings import Settings

PURPOSE = b"fedimob password reset v1"
LIFETIME = timedelta(hours=1)
RESET_MAIL_JOB = "mail.password_reset"
CHANGED_MAIL_JOB = PASSWORD_CHANGED_JOB
MAX_TOKEN_LENGTH = 128
MAX_ACCOUNT_ID = 2**63 - 1
# ASCII only, by construction: `[0-9]` rather than `\d`, which matches other scripts' digits.
_TOKEN = re.compile(r"([1-9][0-9]{0,18})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})")
INVALID = "this password reset link is not valid: it was used, it expired, or it is mistyped"


def _fingerprint(account: Account) -> bytes:
    last_login = account.last_login_at
    parts = (
        account.password_hash or "",
        account.email,
        str(int(last_login.timestamp())) if last_login else "",
    )
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _mac(secret: str, account_id: int, expires: int, fingerprint: bytes) -> str:
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    message = f"{account_id}:{expires}:".encode() + fingerprint
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def reset_token(secret: str, account: Account, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{account.id}.{expires}.{_mac(secret, account.id, expires, _fingerprint(account))}"


def reset_path(token: str) -> str:
    return f"/password/reset/{token}"


async def account_for_token(secret: str, token: str, *, now: datetime | None = None) -> Account:
    """The active account a token opens now; NotFound for anything else."""
    now = now or utcnow()
    found = _TOKEN.fullmatch(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if found is None:
        raise NotFound(INVALID)
    account_id, expires, mac = int(found[1]), int(found[2]), found[3]
    # A token is made for one hour; a later expiry was not made here (or the clock jumped).
    if not now.timestamp() < expires <= (now + LIFETIME + timedelta(minutes=5)).timestamp():
        raise NotFound(INVALID)
    account = (
        await Account.get_or_none(id=account_id, is_active=True)
        if account_id <= MAX_ACCOUNT_ID
        else None
    )
    expected = _mac(secret, account_id, expires, _fingerprint(account) if account else b"")
    if not hmac.compare_digest(expected.encode(), mac.encode()) or account is None:
        raise NotFound(INVALID)
    return account


def _expiry(now: datetime) -> datetime:
    return (now + LIFETIME).astimezone(UTC)


async def request_password_reset(email: str, *, now: datetime | None = None) -> None:
    """Queue a reset mail to the account with this address, if there is one that may reset.

    Raises ValidationError for something that is not an address; otherwise
    returns the same nothing whether or not a mail was queued. Addresses match
    without regard to case, and the mail goes to the address as stored, never
    to the one typed. A request while an earlier one's mail is still queued
    adds nothing (the job key).
    """
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in email.strip()):
        raise ValidationError("an e-mail address has no control characters", field="email")
    address = normalise_email(email)
    now = now or utcnow()
    async with in_transaction():
        accounts = await Account.filter(
            email__iexact=address, is_active=True, password_hash__isnull=False
        ).limit(5)
        for account in accounts:
            await enqueue(
                RESET_MAIL_JOB,
                {"account_id": account.id, "expires_at": _expiry(now).isoformat()},
                key=f"{RESET_MAIL_JOB}:{account.id}",
                priority=SOON,
                max_attempts=5,
            )


def reset_link(settings: Settings, account: Account, *, now: datetime | None = None) -> str:
    """A link for an admin to hand over (`fedimob reset-password`); not for suspended accounts."""
    if not account.is_active:
        raise PermissionDenied(f"@{account.username} is suspended: it cannot reset its password")
    expires_at = _expiry(now or utcnow())
    return settings.absolute(reset_path(reset_token(settings.secret_key, account, expires_at)))


async def reset_password(
    secret: str, token: str, new_password: str, *, now: datetime | None = None
) -> Account:
    """Set the password a valid token allows; every session of the account ends.

    Raises NotFound for a bad, expired or used token and ValidationError for a
    password the rules refuse (the token stays usable then). The person is told
    by mail, in the same transaction (a job), that their password changed.
    """
    now = now or utcnow()
    account = await account_for_token(secret, token, now=now)
    new_hash = await hash_password(new_password)
    async with in_transaction():
        # Conditional on the hash the token was checked against: one winner per token.
        unchanged = Account.filter(id=account.id, is_active=True)
        if account.password_hash is None:
            unchanged = unchanged.filter(password_hash__isnull=True)
        else:
            unchanged = unchanged.filter(password_hash=account.password_hash)
        if not await unchanged.update(password_hash=new_hash):
            raise NotFound(INVALID)
        await revoke_account_sessions(account.id)
        await enqueue(
            CHANGED_MAIL_JOB,
            {"account_id": account.id, "changed_at": now.astimezone(UTC).isoformat()},
            priority=SOON,
        )
    account.password_hash = new_hash
    return account
