"""Password hashing with argon2id (RFC 9106 low-memory profile: m=64 MiB, t=3, p=4).

Hashing is CPU-bound for tens of milliseconds, so it runs in a thread to keep
the event loop free for other requests.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fedimob.errors import ValidationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
_hasher = PasswordHasher()  # argon2id with the RFC 9106 second recommended profile


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("the password is too long", field="password")


async def hash_password(password: str) -> str:
    check_password_strength(password)
    return await asyncio.to_thread(_hasher.hash, password)


_dummy_hash: str | None = None


async def verify_nothing(password: str) -> None:
    """Spend the time of a real verification (for unknown accounts: no timing oracle)."""
    global _dummy_hash
    if _dummy_hash is None:  # made on first use, never at import time
        _dummy_hash = await asyncio.to_thread(_hasher.hash, "not a password of anyone")
    await verify_password(_dummy_hash, password)


async def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; never raises for a wrong or corrupt hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
