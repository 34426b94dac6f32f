"""Local accounts: volunteers, organisers and admins."""

from __future__ import annotations

import re

from fedimob.db import in_transaction
from fedimob.domain.actors import create_local_actor
from fedimob.domain.names import claim_handle, lookup_name, normalise_handle
from fedimob.domain.passwords import hash_password, verify_password
from fedimob.errors import Conflict, NotFound, ValidationError
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
            raise Conflict(f"an account with the e-mail {address} already exists")
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
        return None
    return account if await verify_password(account.password_hash, password) else None
