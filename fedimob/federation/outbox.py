"""Sending: an activity is stored and its deliveries queued in the caller's transaction.

Audience expansion happens here, once: our followers become their inboxes,
with each server's shared inbox used once for all its followers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from activitypub.audience import AS_PUBLIC
from activitypub.contexts import fedimob_context
from fedimob.clock import utcnow
from fedimob.federation.urls import LocalUrls
from fedimob.jobs.queue import NORMAL, enqueue
from fedimob.models import Actor, Follow, FollowState, OutboxActivity

DELIVER_JOB = "federation.deliver"
ACTIVITY_NAMESPACE = uuid.UUID("0a6f8f53-3c1b-4b76-9a3e-6d1f2c8e5b10")
DELIVERY_ATTEMPTS = 18  # activitypub.retry.RetryPolicy: about two days


def new_activity_id(urls: LocalUrls) -> str:
    return urls.settings.absolute(f"/activities/{uuid.uuid4()}")


def stable_activity_id(urls: LocalUrls, name: str) -> str:
    """The same id every time for the same `name` (activities that must be sent once)."""
    return urls.settings.absolute(f"/activities/{uuid.uuid5(ACTIVITY_NAMESPACE, name)}")


def activity(
    urls: LocalUrls,
    actor: Actor,
    kind: str,
    obj: Any,
    *,
    to: Iterable[str] = (),
    cc: Iterable[str] = (),
    published: datetime | None = None,
) -> dict[str, Any]:
    """A new activity document by a local actor."""
    document: dict[str, Any] = {
        "@context": fedimob_context(),
        "id": new_activity_id(urls),
        "type": kind,
        "actor": urls.actor_id(actor),
        "object": obj,
        "published": (published or utcnow()).isoformat().replace("+00:00", "Z"),
    }
    if to:
        document["to"] = list(to)
    if cc:
        document["cc"] = list(cc)
    return document


async def follower_inboxes(actor: Actor) -> list[str]:
    """Inboxes reaching every remote follower of `actor`, one per shared inbox."""
    rows = await Follow.filter(
        followed_id=actor.id, state=FollowState.ACCEPTED, follower__domain__isnull=False
    ).select_related("follower")
    return _dedupe(row.follower for row in rows)


def _dedupe(actors: Iterable[Actor]) -> list[str]:
    inboxes: dict[str, None] = {}
    for remote in actors:
        if remote.deleted_at is None:
            target = remote.shared_inbox_url or remote.inbox_url
            if target:
                inboxes[target] = None
    return list(inboxes)


async def send(
    actor: Actor,
    document: dict[str, Any],
    *,
    recipients: Iterable[Actor] = (),
    to_followers: bool = False,
    followers_of: Iterable[Actor] = (),
    now: datetime | None = None,
    priority: int = NORMAL,
) -> OutboxActivity:
    """Store `document` in `actor`'s outbox and queue one delivery per inbox.

    Call it inside the transaction of the change that causes it; `priority`
    is its deliveries' (counts go before messages to one person).
    """
    inboxes = _dedupe(recipients)
    for audience_of in ([actor] if to_followers else []) + list(followers_of):
        inboxes = list(dict.fromkeys([*inboxes, *await follower_inboxes(audience_of)]))
    audience = [*_as_list(document.get("to")), *_as_list(document.get("cc"))]
    stored = await OutboxActivity.create(
        ap_id=document["id"],
        actor=actor,
        activity_type=document["type"],
        payload=document,
        public=AS_PUBLIC in audience,
        created_at=now or utcnow(),
    )
    for inbox in inboxes:
        await enqueue(
            DELIVER_JOB,
            {"activity": stored.id, "inbox": inbox},
            max_attempts=DELIVERY_ATTEMPTS,
            priority=priority,
        )
    return stored


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value or () if isinstance(item, str)]
