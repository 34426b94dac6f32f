"""The worker: claims due jobs and runs them, each under a deadline.

`run_once()` drains what is due now and returns (tests drive it, no sleeps);
`run()` loops until stopped, also doing periodic maintenance (retention,
ending campaigns whose deadline job was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from fedimob.clock import utcnow
from fedimob.domain.lifecycle import end_overdue
from fedimob.jobs import queue
from fedimob.jobs.registry import JobRegistry, JobRun, PermanentJobError, RetryLater
from fedimob.models import Job, JobState

log = logging.getLogger(__name__)
T = TypeVar("T")

RETENTION = timedelta(days=7)
MAINTENANCE_EVERY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class WorkerStats:
    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed


class Worker:
    def __init__(
        self,
        registry: JobRegistry,
        *,
        job_timeout: float = 60.0,
        batch_size: int = 20,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        worker_id: str | None = None,
        maintenance: Sequence[Callable[[datetime], Awaitable[object]]] = (),
    ) -> None:
        self.registry = registry
        self.job_timeout = job_timeout
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.maintenance = tuple(maintenance)
        self._stopping = asyncio.Event()
        self._last_maintenance: datetime | None = None
        self.total = WorkerStats()

    async def run_once(self, *, now: datetime | None = None) -> WorkerStats:
        """Claim and run every job due at `now` (default: the clock), batch by batch."""
        stats = WorkerStats()
        while True:
            moment = now or self.clock()
            # The lease outlives the per-job timeout, so a live worker keeps its jobs.
            lease = timedelta(seconds=self.job_timeout * 2 + 30)
            jobs = await queue.claim(self.worker_id, now=moment, limit=self.batch_size, lease=lease)
            if not jobs:
                break
            for job in jobs:
                # The batch shares one claim; each job gets a fresh lease as it starts,
                # so a slow batch never lets another worker run its tail twice.
                if not await queue.renew(job, until=(now or self.clock()) + lease):
                    continue
                stats = self._add(stats, await self._run(job, now))
        self.total = WorkerStats(
            self.total.done + stats.done,
            self.total.retried + stats.retried,
            self.total.failed + stats.failed,
        )
        return stats

    @staticmethod
    def _add(stats: WorkerStats, state: JobState) -> WorkerStats:
        if state == JobState.DONE:
            return WorkerStats(stats.done + 1, stats.retried, stats.failed)
        if state == JobState.PENDING:
            return WorkerStats(stats.done, stats.retried + 1, stats.failed)
        return WorkerStats(stats.done, stats.retried, stats.failed + 1)

    async def _run(self, job: Job, now: datetime | None) -> JobState:
        def moment() -> datetime:
            return now or self.clock()

        handler = self.registry.get(job.kind)
        if handler is None:
            log.error("job %s: unknown kind %r", job.id, job.kind)
            return await queue.fail(job, f"unknown job kind {job.kind!r}", now=moment(), final=True)
        try:
            async with asyncio.timeout(self.job_timeout):
                await handler(JobRun(job.payload, moment(), job.attempts, job.max_attempts))
        except RetryLater as error:
            final = error.delay is None
            delay = None if error.delay is None else timedelta(seconds=error.delay)
            return await queue.fail(job, str(error), now=moment(), final=final, delay=delay)
        except PermanentJobError as error:
            log.warning("job %s (%s) failed for good: %s", job.id, job.kind, error)
            return await queue.fail(job, str(error), now=moment(), final=True)
        except TimeoutError:
            log.warning("job %s (%s) timed out after %ss", job.id, job.kind, self.job_timeout)
            return await queue.fail(job, f"timed out after {self.job_timeout}s", now=moment())
        except Exception as error:  # a handler bug must not stop the worker
            log.exception("job %s (%s) failed", job.id, job.kind)
            return await queue.fail(job, f"{type(error).__name__}: {error}", now=moment())
        await queue.complete(job, now=moment())
        return JobState.DONE

    async def maintain(self, *, now: datetime | None = None) -> None:
        """Retention of finished jobs, and the safety net for campaign deadlines."""
        moment = now or self.clock()
        await queue.purge_finished(older_than=moment - RETENTION)
        await queue.fail_abandoned(now=moment)
        await end_overdue(now=moment)
        for task in self.maintenance:
            await task(moment)
        self._last_maintenance = moment

    async def run(self, *, max_jobs: int | None = None) -> None:
        """Work until `stop()` (or until `max_jobs` jobs have run)."""
        log.info("worker %s started", self.worker_id)
        while not self._stopping.is_set():
            moment = self.clock()
            if (
                self._last_maintenance is None
                or moment - self._last_maintenance >= MAINTENANCE_EVERY
            ):
                await self._guarded(self.maintain())
            stats = await self._guarded(self.run_once())
            if max_jobs is not None and self.total.ran >= max_jobs:
                break
            if stats is None or stats.ran == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_seconds)
        log.info("worker %s stopped", self.worker_id)

    async def _guarded(self, work: Awaitable[T]) -> T | None:
        """Run one loop step; a failure (database away...) is logged, not fatal."""
        try:
            return await work
        except Exception:
            log.exception("worker %s: loop step failed, will retry", self.worker_id)
            return None

    def stop(self) -> None:
        self._stopping.set()
