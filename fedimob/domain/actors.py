"""Local actors: their creation with a key pair, the instance actor, key rotation.

Every local actor has an RSA-2048 key pair (what every Fediverse server
accepts). Associations, campaigns and the instance actor get theirs at
creation; people get theirs the first time something is signed for them, so
signing up stays fast.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from tortoise.exceptions import IntegrityError

from activitypub.keys import generate_rsa_key, private_key_to_pem, public_key_to_pem
from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.jobs.queue import enqueue
from fedimob.models import Actor, ActorKind, Handle, HandleKind

INSTANCE_ACTOR_NAME = "instance"
# Federation sends the actor's new document (new key included) to its followers.
ACTOR_UPDATED_JOB = "actor.updated"


def _new_key_pems() -> tuple[str, str]:
    key = generate_rsa_key()
    return private_key_to_pem(key), public_key_to_pem(key)


async def new_key_pems() -> tuple[str, str]:
    """A fresh (private, public) PEM pair; generated in a thread (~50 ms of CPU)."""
    return await asyncio.to_thread(_new_key_pems)


async def create_local_actor(
    username: str,
    kind: ActorKind,
    *,
    keys: tuple[str, str] | None,
    display_name: str = "",
    summary: str = "",
) -> Actor:
    """Store a local actor; make `keys` with `new_key_pems()` before the transaction."""
    private_pem, public_pem = keys or ("", "")
    return await Actor.create(
        username=username,
        domain=None,
        kind=kind,
        display_name=display_name,
        summary=summary,
        private_key_pem=private_pem,
        public_key_pem=public_pem,
    )


async def ensure_keys(actor: Actor) -> Actor:
    """Give a local actor its key pair if it has none yet (safe under races)."""
    if actor.private_key_pem or actor.domain is not None:
        return actor
    private_pem, public_pem = await new_key_pems()
    await Actor.filter(id=actor.id, private_key_pem="").update(
        private_key_pem=private_pem, public_key_pem=public_pem
    )
    return await Actor.get(id=actor.id)


async def rotate_keys(actor: Actor, *, now: datetime | None = None) -> Actor:
    """Replace a local actor's key pair (peers learn it from an `Update` of the actor)."""
    if actor.domain is not None:
        raise ValueError("only local actors' keys can be rotated")
    private_pem, public_pem = await new_key_pems()
    actor.private_key_pem, actor.public_key_pem = private_pem, public_pem
    actor.keys_rotated_at = now or utcnow()
    async with in_transaction():
        await actor.save(update_fields=["private_key_pem", "public_key_pem", "keys_rotated_at"])
        await enqueue(ACTOR_UPDATED_JOB, {"actor_id": actor.id})
    return actor


async def instance_actor() -> Actor:
    """The instance's own `Application` actor, created on first use."""
    existing = await Actor.get_or_none(
        username=INSTANCE_ACTOR_NAME, domain=None, kind=ActorKind.APPLICATION
    )
    if existing is not None:
        return existing
    keys = await new_key_pems()
    try:
        async with in_transaction():
            await Handle.create(name=INSTANCE_ACTOR_NAME, kind=HandleKind.RESERVED)
            return await create_local_actor(
                INSTANCE_ACTOR_NAME, ActorKind.APPLICATION, keys=keys, display_name="fedimob"
            )
    except IntegrityError:  # another process created it first
        return await Actor.get(
            username=INSTANCE_ACTOR_NAME, domain=None, kind=ActorKind.APPLICATION
        )
