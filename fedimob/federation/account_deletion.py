"""Telling the Fediverse that a local person erased their account: `Delete` of the actor.

Sent, signed with the erased actor's key (kept for this), to the remote actors
who knew them (computed when the account was erased: followers, followed,
campaigns joined). Its id is stable, so a job that runs twice sends it once.
"""

from __future__ import annotations

from activitypub.audience import AS_PUBLIC
from fedimob.db import in_transaction
from fedimob.federation.context import Federation
from fedimob.federation.outbox import activity, send, stable_activity_id
from fedimob.jobs.registry import JobRun, PermanentJobError
from fedimob.models import Actor, OutboxActivity


async def announce_account_deleted(federation: Federation, run: JobRun) -> None:
    actor_id, audience = run.payload.get("actor_id"), run.payload.get("audience")
    if not isinstance(actor_id, int) or not isinstance(audience, list):
        raise PermanentJobError(f"bad payload {run.payload!r}")
    actor = await Actor.get_or_none(id=actor_id, domain=None)
    if actor is None or actor.deleted_at is None:
        raise PermanentJobError(f"no erased local actor {actor_id!r}")
    urls = federation.urls
    delete_id = stable_activity_id(urls, f"delete-actor:{actor.id}")
    if await OutboxActivity.exists(ap_id=delete_id):
        return
    document = activity(
        urls, actor, "Delete", urls.actor_id(actor), to=[AS_PUBLIC], published=run.now
    )
    document["id"] = delete_id
    ids = [value for value in audience if isinstance(value, int)]
    recipients = await Actor.filter(id__in=ids, domain__isnull=False, deleted_at__isnull=True)
    async with in_transaction():
        await send(actor, document, recipients=recipients, now=run.now)
