"""Processing a stored inbound activity: a registry of handlers by activity type.

Each handler is a small function of an `Incoming` (the activity, its verified
actor) that calls domain or federation services. Unknown types are stored,
acknowledged and ignored. Handlers look up what they change scoped by the
signing actor, so nobody can undo, accept or update what another actor owns.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from activitypub.errors import InvalidDocument
from activitypub.vocab import read_datetime
from fedimob.federation.context import Federation
from fedimob.federation.hosts import host_of, note_inbound
from fedimob.jobs.registry import JobRun, PermanentJobError
from fedimob.models import Actor, InboxItem, InboxState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Incoming:
    federation: Federation
    activity: dict[str, Any]
    actor: Actor
    now: datetime

    @property
    def asked_at(self) -> datetime | None:
        """When the sender says it acted (`published`, never after now), if it says so.

        One actor's activities all carry its own server's clock, so this orders
        them even when deliveries arrive out of order.
        """
        try:
            published = read_datetime(self.activity, "published")
        except InvalidDocument:
            return None
        return min(published, self.now) if published is not None else None


Handler = Callable[[Incoming], Awaitable[None]]


class ActivityHandlers:
    """Activity type -> handler. `FEDERATION.md` lists the same types (a test checks)."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def on(self, *kinds: str) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            for kind in kinds:
                if kind in self._handlers:
                    raise ValueError(f"{kind} is handled twice")
                self._handlers[kind] = handler
            return handler

        return decorator

    def get(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))


async def process_items(federation: Federation, handlers: ActivityHandlers, run: JobRun) -> None:
    """Process a group of stored activities, in the order they were stored."""
    ids = run.payload.get("activity_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise PermanentJobError(f"bad inbox payload {run.payload!r}")
    items = await InboxItem.filter(activity_id__in=ids, state=InboxState.PENDING).order_by("id")
    troubled = 0
    for item in items:
        try:
            await process_item(federation, handlers, item, run)
        except Exception as error:  # one item's trouble must not stop the others
            troubled += 1
            await _keep_for_retry(item, error, run)
    if troubled and not run.is_last_attempt:
        # Only the items still pending are tried again (the others are processed).
        raise RuntimeError(f"{troubled} of {len(items)} inbox items failed; retrying them")


async def _keep_for_retry(item: InboxItem, error: Exception, run: JobRun) -> None:
    """Note what went wrong; on the job's last attempt the item fails for good."""
    log.exception("inbox item %s (%s) raised", item.id, item.activity_type)
    state = InboxState.FAILED if run.is_last_attempt else InboxState.PENDING
    await InboxItem.filter(id=item.id).update(
        state=state, error=f"{type(error).__name__}: {error}"[:2000], processed_at=run.now
    )


async def process_item(
    federation: Federation, handlers: ActivityHandlers, item: InboxItem, run: JobRun
) -> None:
    await note_inbound(host_of(item.actor_id), now=run.now)
    actor = await Actor.get_or_none(ap_id=item.actor_id, domain__isnull=False)
    handler = handlers.get(item.activity_type)
    state, error = InboxState.PROCESSED, None
    if handler is not None and actor is not None:
        try:
            await handler(Incoming(federation, item.payload, actor, run.now))
        except InvalidDocument as refused:  # the sender's fault: retrying cannot help
            log.info("inbox item %s (%s) refused: %s", item.id, item.activity_type, refused)
            state, error = InboxState.FAILED, str(refused)[:2000]
    await InboxItem.filter(id=item.id).update(state=state, error=error, processed_at=run.now)
    log.info("inbox: %s %s from %s", item.activity_type, state, item.actor_id)
