"""Storing verified activities in groups: one transaction and one job per group.

Committing each inbox row alone caps a server at what its database does per
commit (SQLite: one writer at a time). Here requests hand their activity to
the process's single writer and wait for the commit of the group it lands in,
so `202` still means "stored", and bursts cost one commit per group. When more
is waiting than the writer can take, the inbox answers 503 with Retry-After
instead of letting requests time out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from fedimob.db import in_transaction
from fedimob.jobs.queue import SOON, enqueue
from fedimob.models import InboxItem

log = logging.getLogger(__name__)
PROCESS_JOB = "federation.inbox"


@dataclass(frozen=True, slots=True)
class Received:
    activity_id: str
    activity_type: str
    actor_id: str
    key_id: str
    payload: dict[str, Any]
    received_at: datetime

    def row(self) -> InboxItem:
        return InboxItem(
            activity_id=self.activity_id,
            activity_type=self.activity_type,
            actor_id=self.actor_id,
            key_id=self.key_id,
            payload=self.payload,
            received_at=self.received_at,
        )


class Overloaded(Exception):
    """More activities are waiting than the writer accepts; come back later."""


class InboxWriter:
    def __init__(self, *, max_batch: int = 256, max_waiting: int = 4096) -> None:
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self._waiting: deque[tuple[Received, asyncio.Future[None]]] = deque()
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def store(self, received: Received) -> None:
        """Return once `received` is committed (or was already stored); Overloaded if full."""
        if len(self._waiting) >= self.max_waiting:
            raise Overloaded(f"{len(self._waiting)} activities waiting to be stored")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((received, future))
        if self._task is None or self._task.done():
            # The task inherits the caller's context, hence the active database.
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self._waiting:
            count = min(len(self._waiting), self.max_batch)
            group = [self._waiting.popleft() for _ in range(count)]
            try:
                await commit_group([received for received, _ in group])
            except Exception as error:  # the requests answer 500; the writer goes on
                log.exception("inbox: storing a group of %d failed", len(group))
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _, future in group:
                if not future.done():
                    future.set_result(None)

    async def close(self) -> None:
        """Let the activities already accepted be stored (at shutdown)."""
        if self._task is not None:
            await asyncio.shield(self._task)


async def commit_group(group: list[Received]) -> None:
    """Store the group's new activities and queue one job to process them."""
    ids = list(dict.fromkeys(received.activity_id for received in group))
    try:
        await _insert(group, ids)
    except IntegrityError:
        # Another process stored one of them meanwhile: store the rest one by one.
        for received in group:
            try:
                await _insert([received], [received.activity_id])
            except IntegrityError:
                continue


async def _insert(group: list[Received], ids: list[str]) -> None:
    async with in_transaction():
        stored = await InboxItem.filter(activity_id__in=ids).only("id", "activity_id")
        known = {item.activity_id for item in stored}
        fresh: dict[str, Received] = {}
        for received in group:
            if received.activity_id not in known:
                fresh.setdefault(received.activity_id, received)
        if not fresh:
            return
        await InboxItem.bulk_create([received.row() for received in fresh.values()])
        # Before deliveries: joins are committed (and counted) before confirmations go out.
        await enqueue(PROCESS_JOB, {"activity_ids": list(fresh)}, priority=SOON)
