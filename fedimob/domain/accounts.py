"""Local accounts: volunteers, organisers and admins."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.actors import create_local_actor
from fedimob.domain.names import claim_handle, lookup_name, normalise_handle
from fedimob.domain.passwords import hash_password, verify_nothing, verify_password
from fedimob.domain.sessions import revoke_account_sessions
from fedimob.errors import Conflict, NotFound, PermissionDenied, ValidationError
from fedimob.jobs.queue import SOON, enqueue
from fedimob.models import Account, ActorKind, HandleKind

LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# Deliberately loose: the only real check of an address is a mail that arrives.
EMAIL_PATTERN = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}")


def normalise_email(email: str) -> str:
    candidate = email.strip()
    if len(candidate) > 254 or not EMAIL_PATTERN.fullmatch(candidate):
        raise ValidationError(f"{email!r} is not an e-mail address", field="email")
    local, _, domain = candidate.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_language(language: str) -> str:
    candidate = language.strip()
    if not LANGUAGE_PATTERN.fullmatch(candidate):
        raise ValidationError(
            f"{language!r} is not a language code (like en or fr)", field="language"
        )
    return candidate


async def create_account(
    *,
    username: str,
    email: str,
    password: str | None,
    display_name: str = "",
    language: str = "en",
    is_admin: bool = False,
) -> Account:
    """Create a local account and its actor. `password=None` makes a login-less account."""
    name = normalise_handle(username)
    address = normalise_email(email)
    lang = normalise_language(language)
    if len(display_name) > 200:
        raise ValidationError("the display name is too long (200 at most)", field="display_name")
    password_hash = await hash_password(password) if password is not None else None
    async with in_transaction():
        if await Account.exists(email=address):
            raise Conflict(f"an account with the e-mail {address} already exists", field="email")
        await claim_handle(name, HandleKind.ACCOUNT)
        actor = await create_local_actor(
            name, ActorKind.PERSON, keys=None, display_name=display_name
        )
        return await Account.create(
            actor=actor,
            username=name,
            email=address,
            password_hash=password_hash,
            display_name=display_name,
            language=lang,
            is_admin=is_admin,
        )


async def get_account(username: str) -> Account:
    name = lookup_name(username)
    account = await Account.get_or_none(username=name) if name else None
    if account is None:
        raise NotFound(f"no user named {username!r}")
    return account


async def authenticate(username: str, password: str) -> Account | None:
    """The active account these credentials open, or None."""
    name = lookup_name(username)
    account = await Account.get_or_none(username=name, is_active=True) if name else None
    if account is None or account.password_hash is None:
        # As slow as a real check, so response times do not tell which names exist.
        await verify_nothing(password)
        return None
    return account if await verify_password(account.password_hash, password) else None


async def set_language(account: Account, language: str) -> None:
    account.language = normalise_language(language)
    await Account.filter(id=account.id).update(language=account.language)


# The mail telling a person their password changed (fedimob.domain.password_mail).
PASSWORD_CHANGED_JOB = "mail.password_changed"  # noqa: S105 (a job kind)


async def change_password(
    account: Account,
    current: str,
    new: str,
    *,
    keep_session: int | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the password after checking the current one; other sessions end.

    Ending the other sessions is the point of a password change made because
    someone else may know the old one; the mail that says so warns the owner
    if that someone made the change.
    """
    if account.password_hash is None or not await verify_password(account.password_hash, current):
        raise PermissionDenied("the current password is not right")
    account.password_hash = await hash_password(new)
    changed_at = (now or utcnow()).astimezone(UTC).isoformat()
    async with in_transaction():
        await Account.filter(id=account.id).update(password_hash=account.password_hash)
        await revoke_account_sessions(account.id, keep=keep_session)
        await enqueue(
            PASSWORD_CHANGED_JOB,
            {"account_id": account.id, "changed_at": changed_at, "via": "account"},
            priority=SOON,
        )


async def disable_account(account: Account) -> None:
    """The person can no longer log in; their open sessions end now."""
    account.is_active = False
    async with in_transaction():
        await Account.filter(id=account.id).update(is_active=False)
        await revoke_account_sessions(account.id)


async def record_login(account: Account, now: datetime | None = None) -> None:
    account.last_login_at = now or utcnow()
    await Account.filter(id=account.id).update(last_login_at=account.last_login_at)
