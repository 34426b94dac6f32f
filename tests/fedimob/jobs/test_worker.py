import asyncio
from datetime import timedelta
from typing import Any

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database, in_transaction
from fedimob.jobs import queue
from fedimob.jobs.registry import JobRegistry, JobRun, PermanentJobError, RetryLater
from fedimob.jobs.worker import Worker
from fedimob.models import Job, JobState


def registry_with(calls: list[dict[str, Any]], behaviour: str = "ok") -> JobRegistry:
    registry = JobRegistry()

    @registry.register("test.job")
    async def handler(run: JobRun) -> None:
        calls.append(run.payload)
        if behaviour == "boom":
            raise RuntimeError("peer exploded")
        if behaviour == "permanent":
            raise PermanentJobError("bad payload")
        if behaviour == "hang":
            await asyncio.Event().wait()

    return registry


async def test_a_job_runs_once_and_is_marked_done(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {"n": 1})
    worker = Worker(registry_with(calls))
    assert (await worker.run_once()).done == 1
    assert (await worker.run_once()).ran == 0
    assert calls == [{"n": 1}]
    job = await Job.get()
    assert (job.state, job.attempts) == (JobState.DONE, 1)


async def test_a_job_rolled_back_with_its_transaction_never_runs(db: Database) -> None:
    calls: list[dict[str, Any]] = []

    async def change_that_fails() -> None:
        async with in_transaction():
            await queue.enqueue("test.job", {"n": 1})
            raise RuntimeError("the domain change failed")

    with pytest.raises(RuntimeError):
        await change_that_fails()
    await Worker(registry_with(calls)).run_once()
    assert calls == []
    assert not await Job.exists()


async def test_failures_retry_with_backoff_then_give_up(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {}, max_attempts=3)
    worker = Worker(registry_with(calls, "boom"))
    now = utcnow()
    stats = await worker.run_once(now=now)
    assert stats.retried == 1
    job = await Job.get()
    assert job.state == JobState.PENDING
    assert job.run_at > now
    assert job.last_error == "RuntimeError: peer exploded"
    assert (await worker.run_once(now=now)).ran == 0  # not due yet
    await worker.run_once(now=now + timedelta(days=1))
    await worker.run_once(now=now + timedelta(days=2))
    job = await Job.get()
    assert (job.state, job.attempts, len(calls)) == (JobState.FAILED, 3, 3)


async def test_backoff_grows_and_is_capped() -> None:
    assert queue.backoff(1) <= timedelta(seconds=10)
    assert queue.backoff(5) >= timedelta(seconds=80)
    assert queue.backoff(40) <= timedelta(hours=6)


async def test_permanent_errors_and_unknown_kinds_fail_at_once(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {})
    await queue.enqueue("no.such.kind", {})
    stats = await Worker(registry_with(calls, "permanent")).run_once()
    assert stats.failed == 2
    errors = sorted(await Job.all().values_list("last_error", flat=True))
    assert errors == ["bad payload", "unknown job kind 'no.such.kind'"]


async def test_a_hung_job_is_cut_at_its_timeout_and_retried(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {})
    stats = await Worker(registry_with(calls, "hang"), job_timeout=0.05).run_once()
    assert stats.retried == 1
    assert "timed out" in (await Job.get()).last_error


async def test_an_abandoned_job_is_claimed_again_after_its_lease(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {})
    now = utcnow()
    claimed = await queue.claim("dead-worker", now=now, limit=10, lease=timedelta(minutes=1))
    assert len(claimed) == 1
    worker = Worker(registry_with(calls))
    assert (await worker.run_once(now=now + timedelta(seconds=30))).ran == 0
    assert (await worker.run_once(now=now + timedelta(minutes=2))).done == 1
    assert (await Job.get()).attempts == 2


async def test_two_workers_never_run_the_same_job(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    for n in range(60):
        await queue.enqueue("test.job", {"n": n})
    registry = registry_with(calls)
    workers = [Worker(registry, batch_size=7, worker_id=f"w{i}") for i in range(3)]
    results = await asyncio.gather(*(w.run_once() for w in workers))
    assert sum(r.done for r in results) == 60
    assert sorted(c["n"] for c in calls) == list(range(60))


async def test_finished_jobs_are_purged_after_retention(db: Database) -> None:
    await queue.enqueue("test.job", {})
    await Worker(registry_with([])).run_once()
    now = utcnow()
    assert await queue.purge_finished(older_than=now - timedelta(days=1)) == 0
    assert await queue.purge_finished(older_than=now + timedelta(seconds=1)) == 1


async def test_run_stops_after_max_jobs(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    for n in range(3):
        await queue.enqueue("test.job", {"n": n})
    worker = Worker(registry_with(calls), poll_seconds=0.01)
    await asyncio.wait_for(worker.run(max_jobs=3), timeout=10)
    assert len(calls) == 3


def test_a_kind_cannot_be_registered_twice() -> None:
    registry = registry_with([])
    with pytest.raises(ValueError, match="twice"):
        registry.register("test.job")(registry.get("test.job"))  # type: ignore[arg-type]


async def test_retry_later_uses_the_handlers_delay_or_gives_up(db: Database) -> None:
    registry = JobRegistry()
    delays = iter([120.0, None])

    @registry.register("test.later")
    async def later(run: JobRun) -> None:
        raise RetryLater("peer said later", delay=next(delays))

    await queue.enqueue("test.later", {})
    now = utcnow()
    worker = Worker(registry)
    assert (await worker.run_once(now=now)).retried == 1
    job = await Job.get()
    assert job.run_at == now + timedelta(seconds=120)
    assert (await worker.run_once(now=now + timedelta(seconds=121))).failed == 1
    assert (await Job.get()).state == JobState.FAILED


async def test_an_abandoned_job_is_not_reclaimed_past_its_attempts(db: Database) -> None:
    calls: list[dict[str, Any]] = []
    await queue.enqueue("test.job", {}, max_attempts=2)
    now = utcnow()
    lease = timedelta(minutes=1)
    for n in range(2):  # two workers die holding it
        claimed = await queue.claim(
            f"dead{n}", now=now + n * timedelta(minutes=2), limit=5, lease=lease
        )
        assert len(claimed) == 1
    later = now + timedelta(minutes=10)
    assert await queue.claim("alive", now=later, limit=5, lease=lease) == []
    worker = Worker(registry_with(calls))
    await worker.maintain(now=later)
    job = await Job.get()
    assert (job.state, job.last_error) == (JobState.FAILED, "abandoned by its workers")
    assert calls == []


async def test_a_slow_batch_keeps_its_jobs_from_other_workers(db: Database) -> None:
    """Each job's lease is renewed when it starts, so the tail of a batch is not run twice."""
    for n in range(3):
        await queue.enqueue("test.job", {"n": n})
    now = utcnow()
    lease = timedelta(seconds=30)
    claimed = await queue.claim("slow", now=now, limit=3, lease=lease)
    # Much later the slow worker reaches its last job: it renews before running it,
    # and another worker looking at the same moment finds nothing to steal.
    assert await queue.renew(claimed[2], until=now + timedelta(minutes=10))
    other = await queue.claim("other", now=now + timedelta(minutes=5), limit=3, lease=lease)
    assert [job.id for job in other] == [claimed[0].id, claimed[1].id]
    assert not await queue.renew(claimed[0], until=now + timedelta(minutes=11))  # stolen


async def test_urgent_jobs_run_before_older_ones(db: Database) -> None:
    now = utcnow()
    for n in range(3):
        await queue.enqueue("message", {"n": n}, run_at=now - timedelta(minutes=10 - n))
    await queue.enqueue("counts", {}, run_at=now, priority=queue.URGENT)
    await queue.enqueue("inbox", {}, run_at=now, priority=queue.SOON)
    claimed = await queue.claim("w", now=now, limit=5, lease=timedelta(minutes=1))
    assert [job.kind for job in claimed] == ["counts", "inbox", "message", "message", "message"]
    assert [job.payload.get("n") for job in claimed[2:]] == [0, 1, 2]  # then oldest first
