"""The inbound activity handlers and the federation job kinds, assembled."""

from __future__ import annotations

from fedimob.domain.actors import ACTOR_UPDATED_JOB
from fedimob.domain.campaigns import (
    CANCELLED_JOB,
    EDITED_JOB,
    ENDED_JOB,
    PUBLISHED_JOB,
    REMINDER_JOB,
)
from fedimob.domain.participation import COUNTS_JOB, DECIDED_JOB
from fedimob.federation import (
    actor_updates,
    follows,
    participation,
    reactions,
    region_follows,
    remote_joins,
    votes,
)
from fedimob.federation.campaigns import (
    announce_actor_update,
    announce_cancelled,
    announce_counts,
    announce_edit,
    announce_outcome,
    announce_published,
    remind_participants,
)
from fedimob.federation.context import Federation
from fedimob.federation.delivery import deliver
from fedimob.federation.inbox_writer import PROCESS_JOB
from fedimob.federation.outbox import DELIVER_JOB
from fedimob.federation.processing import ActivityHandlers, process_items
from fedimob.jobs.registry import JobRegistry, JobRun


def activity_handlers() -> ActivityHandlers:
    handlers = ActivityHandlers()
    follows.register(handlers)
    actor_updates.register(handlers)
    participation.register(handlers)
    remote_joins.register(handlers)
    votes.register(handlers)
    reactions.register(handlers)
    return handlers


def register_federation_jobs(registry: JobRegistry, federation: Federation) -> None:
    handlers = activity_handlers()

    async def on_inbox(run: JobRun) -> None:
        await process_items(federation, handlers, run)

    async def on_deliver(run: JobRun) -> None:
        await deliver(federation, run.payload, run.now, attempt=run.attempt)

    async def on_published(run: JobRun) -> None:
        await announce_published(federation, run)

    async def on_cancelled(run: JobRun) -> None:
        await announce_cancelled(federation, run)

    registry.register(PROCESS_JOB)(on_inbox)
    registry.register(DELIVER_JOB)(on_deliver)
    registry.register(PUBLISHED_JOB)(on_published)
    registry.register(CANCELLED_JOB)(on_cancelled)

    async def on_actor_updated(run: JobRun) -> None:
        await announce_actor_update(federation, run)

    registry.register(ACTOR_UPDATED_JOB)(on_actor_updated)

    async def on_counts(run: JobRun) -> None:
        await announce_counts(federation, run)

    async def on_decided(run: JobRun) -> None:
        await participation.on_decided(federation, run)

    async def on_reminder(run: JobRun) -> None:
        await remind_participants(federation, run)

    async def on_ended(run: JobRun) -> None:
        await announce_outcome(federation, run)

    async def on_edited(run: JobRun) -> None:
        await announce_edit(federation, run)

    registry.register(EDITED_JOB)(on_edited)
    registry.register(REMINDER_JOB)(on_reminder)
    registry.register(ENDED_JOB)(on_ended)
    registry.register(COUNTS_JOB)(on_counts)
    registry.register(DECIDED_JOB)(on_decided)

    async def on_remote_join(run: JobRun) -> None:
        await remote_joins.on_send(federation, run)

    registry.register(remote_joins.SEND_JOB)(on_remote_join)
    region_follows.register_jobs(registry, federation)
