"""The local handle namespace shared by accounts, associations and campaigns.

Every local name becomes `@name@domain` on the Fediverse, so it must match
Mastodon's username pattern and be unique across the three kinds.
"""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError

from fedimob.errors import Conflict, ValidationError
from fedimob.models import Handle, HandleKind

HANDLE_PATTERN = re.compile(r"[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*")
MAX_HANDLE_LENGTH = 64
# Names a person might mistake for the instance itself, or that later routes use.
RESERVED = frozenset(
    {
        "about", "admin", "administrator", "api", "campaigns", "contact", "fedimob",
        "help", "inbox", "instance", "login", "logout", "mod", "moderator", "nodeinfo",
        "outbox", "postmaster", "relay", "root", "security", "settings", "signup",
        "static", "support", "system", "webmaster", "well-known", "www",
    }
)  # fmt: skip


def normalise_handle(name: str, *, field: str = "username") -> str:
    """Lower-case and validate a local name; raise ValidationError when unusable."""
    candidate = name.strip().lower().removeprefix("@")
    if not candidate or len(candidate) > MAX_HANDLE_LENGTH:
        raise ValidationError(
            f"{field} must be 1 to {MAX_HANDLE_LENGTH} characters long", field=field
        )
    if not HANDLE_PATTERN.fullmatch(candidate):
        raise ValidationError(
            f"{field} may contain only a-z, 0-9 and _, with single . or - between them",
            field=field,
        )
    if candidate in RESERVED:
        raise ValidationError(f"{field} {candidate!r} is reserved", field=field)
    return candidate


def lookup_name(name: str) -> str | None:
    """The normalised form of a name to look up, or None if no handle can have it.

    Every lookup by name goes through this, so hostile input (NUL bytes,
    control characters, megabytes) never reaches a query.
    """
    candidate = name.strip().lower().removeprefix("@")
    if len(candidate) > MAX_HANDLE_LENGTH or not HANDLE_PATTERN.fullmatch(candidate):
        return None
    return candidate


async def claim_handle(name: str, kind: HandleKind, *, field: str = "username") -> None:
    """Reserve `name` for `kind`; call inside the transaction that creates the owner."""
    if await Handle.exists(name=name):
        raise Conflict(f"the name {name!r} is already taken", field=field)
    try:
        await Handle.create(name=name, kind=kind)
    except IntegrityError:  # lost a race with a concurrent creation
        raise Conflict(f"the name {name!r} is already taken", field=field) from None
