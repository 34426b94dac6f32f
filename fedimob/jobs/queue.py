"""Adding, claiming and settling jobs.

Claiming is safe with several workers: on PostgreSQL the candidates are read
with `FOR UPDATE SKIP LOCKED`; on every database the claim itself is a
conditional update (`WHERE state = <what we read>`), so two workers can never
both win the same job, even on SQLite shared by several processes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.models import Job, JobState

BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 6 * 3600.0
MAX_ERROR_LENGTH = 2000


# Job priorities: what people see (counts) before what can wait (one person's message).
URGENT = 10
SOON = 5
NORMAL = 0


async def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    max_attempts: int = 10,
    key: str | None = None,
    priority: int = NORMAL,
) -> Job:
    """Add a job; call it inside the transaction of the change that causes it.

    With a `key`, a job still pending under that key is returned instead of a
    new one (so 5,000 joins in a minute make one count update, not 5,000).
    The caller serialises on what the key names (e.g. the campaign's lock).
    Due jobs run by `priority` (URGENT, SOON, NORMAL), then oldest first.
    """
    if key is not None:
        pending = await Job.filter(key=key, state=JobState.PENDING).first()
        if pending is not None:
            return pending
    return await Job.create(
        kind=kind,
        payload=dict(payload or {}),
        run_at=run_at or utcnow(),
        max_attempts=max_attempts,
        key=key,
        priority=priority,
    )


def _due(now: datetime) -> Q:
    pending = Q(state=JobState.PENDING, run_at__lte=now)
    # A job whose worker died is claimed again, while it has attempts left.
    abandoned = Q(state=JobState.RUNNING, locked_until__lt=now, attempts__lt=F("max_attempts"))
    return pending | abandoned


async def renew(job: Job, *, until: datetime) -> bool:
    """Extend our lease on `job` before running it; False if another worker took it."""
    return bool(
        await Job.filter(id=job.id, locked_by=job.locked_by, state=JobState.RUNNING).update(
            locked_until=until
        )
    )


async def fail_abandoned(*, now: datetime) -> int:
    """Give up on jobs that kept killing or hanging their workers."""
    return await Job.filter(
        state=JobState.RUNNING, locked_until__lt=now, attempts__gte=F("max_attempts")
    ).update(state=JobState.FAILED, finished_at=now, last_error="abandoned by its workers")


async def claim(worker_id: str, *, now: datetime, limit: int, lease: timedelta) -> list[Job]:
    """Claim up to `limit` due jobs for `worker_id`, holding each for `lease`."""
    claimed: list[Job] = []
    async with in_transaction():
        candidates = (
            await Job.filter(_due(now))
            .order_by("-priority", "run_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True)
        )
        for job in candidates:
            won = await Job.filter(id=job.id, state=job.state, attempts=job.attempts).update(
                state=JobState.RUNNING,
                attempts=job.attempts + 1,
                locked_by=worker_id,
                locked_until=now + lease,
            )
            if won:
                job.state = JobState.RUNNING
                job.attempts += 1
                job.locked_by = worker_id
                claimed.append(job)
    return claimed


async def complete(job: Job, *, now: datetime) -> None:
    await Job.filter(id=job.id, locked_by=job.locked_by).update(
        state=JobState.DONE, finished_at=now, locked_until=None, last_error=None
    )


def backoff(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to base * 2^(attempt-1), capped."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


async def fail(
    job: Job,
    error: str,
    *,
    now: datetime,
    final: bool = False,
    delay: timedelta | None = None,
) -> JobState:
    """Record a failed attempt: retry after `delay` (default: backoff), or give up."""
    give_up = final or job.attempts >= job.max_attempts
    state = JobState.FAILED if give_up else JobState.PENDING
    await Job.filter(id=job.id, locked_by=job.locked_by).update(
        state=state,
        run_at=job.run_at if give_up else now + (delay or backoff(job.attempts)),
        finished_at=now if give_up else None,
        locked_until=None,
        last_error=error[:MAX_ERROR_LENGTH],
    )
    return state


async def purge_finished(*, older_than: datetime) -> int:
    """Delete done and failed jobs finished before `older_than` (retention)."""
    return await Job.filter(
        state__in=[JobState.DONE, JobState.FAILED], finished_at__lt=older_than
    ).delete()


async def pending_count() -> int:
    return await Job.filter(state__in=[JobState.PENDING, JobState.RUNNING]).count()
