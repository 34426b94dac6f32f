"""How deliveries are going, for the admins: failing hosts and the job queue.

Read-only. Host health is what the delivery jobs record on each `RemoteHost`
(`activitypub.retry.HostHealth`: consecutive failures, the days with a
failure, the circuit breaker); the last error of a host is the latest one a
delivery job to it kept. The queue is counted per kind and state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.functions import Count

from activitypub.retry import BreakerState, HostHealth
from fedimob.clock import utcnow
from fedimob.federation.hosts import host_of
from fedimob.federation.outbox import DELIVER_JOB
from fedimob.models import Job, JobState, RemoteHost

# Recent delivery errors read to find each failing host's last one.
RECENT_ERRORS = 500


@dataclass(frozen=True, slots=True)
class FailingHost:
    domain: str
    failures: int  # consecutive failed attempts
    failure_days: int  # distinct days with a failure since the last success
    last_failure_day: date | None  # a UTC day, as failure days are counted
    breaker: str  # closed, open, half-open
    breaker_opened_at: datetime | None
    unavailable: bool  # failing on 7 days: deliveries to it are dropped
    last_error: str


@dataclass(frozen=True, slots=True)
class QueueLine:
    kind: str
    due: int  # pending and due now
    scheduled: int  # pending, due later (deadlines, retries after backoff)
    running: int
    failed: int  # gave up (kept 7 days)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    lines: tuple[QueueLine, ...]
    oldest_due_at: datetime | None  # when the job waiting longest became due

    @property
    def pending(self) -> int:
        return sum(line.due + line.scheduled + line.running for line in self.lines)

    @property
    def failed(self) -> int:
        return sum(line.failed for line in self.lines)

    def waiting(self, now: datetime) -> timedelta | None:
        return now - self.oldest_due_at if self.oldest_due_at else None


def _failing(health: HostHealth) -> bool:
    return health.failures > 0 or bool(health.failure_days) or health.state != BreakerState.CLOSED


async def _last_errors() -> dict[str, str]:
    """host -> the latest error a delivery job to it kept (among the recent ones)."""
    jobs = (
        await Job.filter(
            kind=DELIVER_JOB,
            state__in=[JobState.PENDING, JobState.FAILED],
            last_error__isnull=False,
        )
        .order_by("-id")
        .limit(RECENT_ERRORS)
        .only("id", "payload", "last_error")
    )
    errors: dict[str, str] = {}
    for job in jobs:
        inbox = job.payload.get("inbox")
        if isinstance(inbox, str):
            errors.setdefault(host_of(inbox), job.last_error or "")
    return errors


async def failing_hosts() -> list[FailingHost]:
    """Hosts with failures since their last success, the most troubled first."""
    rows = await RemoteHost.filter(blocked=False).only("domain", "health")
    troubled = []
    for row in rows:
        if not row.health:
            continue
        try:
            health = HostHealth.from_dict(row.health)
        except (KeyError, ValueError, TypeError):
            continue  # not written by us: nothing to show
        if _failing(health):
            troubled.append((row.domain, health))
    errors = await _last_errors() if troubled else {}
    hosts = [
        FailingHost(
            domain=domain,
            failures=health.failures,
            failure_days=len(health.failure_days),
            last_failure_day=max(health.failure_days) if health.failure_days else None,
            breaker=health.state.value,
            breaker_opened_at=health.opened_at,
            unavailable=health.unavailable(),
            last_error=errors.get(domain, ""),
        )
        for domain, health in troubled
    ]
    return sorted(hosts, key=lambda h: (not h.unavailable, -h.failure_days, -h.failures, h.domain))


async def failing_host_count() -> int:
    return len(await failing_hosts())


async def queue_summary(now: datetime | None = None) -> QueueSummary:
    """Jobs not done, per kind: due, scheduled for later, running, failed."""
    now = now or utcnow()
    counts: dict[str, dict[str, int]] = {}

    def add(kind: str, column: str, n: int) -> None:
        counts.setdefault(kind, {"due": 0, "scheduled": 0, "running": 0, "failed": 0})
        counts[kind][column] += n

    by_state = (
        await Job.filter(state__in=[JobState.RUNNING, JobState.FAILED])
        .annotate(n=Count("id"))
        .group_by("kind", "state")
        .values("kind", "state", "n")
    )
    for row in by_state:
        add(row["kind"], "running" if row["state"] == JobState.RUNNING else "failed", row["n"])
    for column, when in (("due", {"run_at__lte": now}), ("scheduled", {"run_at__gt": now})):
        pending = (
            await Job.filter(state=JobState.PENDING, **when)
            .annotate(n=Count("id"))
            .group_by("kind")
            .values("kind", "n")
        )
        for row in pending:
            add(row["kind"], column, row["n"])
    oldest = (
        await Job.filter(state=JobState.PENDING, run_at__lte=now)
        .order_by("run_at")
        .only("id", "run_at")
        .first()
    )
    return QueueSummary(
        lines=tuple(QueueLine(kind, **values) for kind, values in sorted(counts.items())),
        oldest_due_at=oldest.run_at if oldest else None,
    )
