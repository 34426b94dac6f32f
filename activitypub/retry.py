"""One retry policy, one outcome classifier, and a per-host circuit breaker.

Every outbound path (delivery, fetches) classifies what happened with :func:`classify_status`
or :func:`classify_error`, schedules the next attempt with :meth:`RetryPolicy.next_delay`,
and keeps a :class:`HostHealth` per remote host. All of it is pure: the caller passes ``now``
(an aware ``datetime``) and, for jitter, a ``random.Random``; the app persists the dataclasses
(``HostHealth.to_dict`` / ``from_dict``).

Classification (SECURITY.md "Delivery"): 2xx succeeds; 5xx, 401, 408, 429, network errors and
timeouts are retried; 410 means the inbox is gone; any other 4xx (and 3xx, which a signed
POST must not follow) is final.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from activitypub.errors import FetchError, FetchTimeout, HTTPStatusError, NetworkError

__all__ = [
    "DEFAULT_BREAKER",
    "BreakerPolicy",
    "BreakerState",
    "HostHealth",
    "Outcome",
    "RetryPolicy",
    "Verdict",
    "breaker_allows",
    "classify_error",
    "classify_status",
    "parse_retry_after",
    "record_failure",
    "record_inbound",
    "record_success",
]

_RETRYABLE_4XX = frozenset({401, 408, 429})


class Outcome(enum.StrEnum):
    """What to do after an attempt."""

    SUCCESS = "success"
    RETRY = "retry"
    FINAL = "final"  # give up on this attempt's job; the host is fine
    GONE = "gone"  # 410: the remote inbox or object is gone for good


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classified attempt: its outcome, the status if any, and the peer's Retry-After."""

    outcome: Outcome
    status_code: int | None = None
    retry_after: float | None = None
    reason: str = ""

    @property
    def host_failed(self) -> bool:
        """Whether the attempt counts against the host's health (retryable failures only)."""
        return self.outcome is Outcome.RETRY


def parse_retry_after(value: str | None, now: datetime, *, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), capped.

    Unparsable values give None; a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(float(int(value[:12])), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), cap)


def classify_status(
    status_code: int,
    retry_after: str | None = None,
    *,
    now: datetime,
    retry_after_cap: float = 12 * 3600.0,
) -> Verdict:
    """Classify an HTTP status (and its ``Retry-After`` header, if any)."""
    outcome = _status_outcome(status_code)
    if outcome is Outcome.SUCCESS:
        return Verdict(outcome, status_code)
    delay = None
    if outcome is Outcome.RETRY:
        delay = parse_retry_after(retry_after, now, cap=retry_after_cap)
    return Verdict(outcome, status_code, delay, f"HTTP {status_code}")


def _status_outcome(status_code: int) -> Outcome:
    if 200 <= status_code < 300:
        return Outcome.SUCCESS
    if status_code == 410:
        return Outcome.GONE
    if status_code >= 500 or status_code in _RETRYABLE_4XX:
        return Outcome.RETRY
    return Outcome.FINAL


def classify_error(error: FetchError) -> Verdict:
    """Classify an exception raised by an outbound request.

    Network errors and timeouts are retried; an :class:`HTTPStatusError` is classified by its
    status; anything else (unsafe URL, too large, bad content type, ...) is final, since
    trying again would give the same answer.
    """
    if isinstance(error, HTTPStatusError):
        return Verdict(
            _status_outcome(error.status_code), error.status_code, error.retry_after, str(error)
        )
    reason = f"{type(error).__name__}: {error}"
    if isinstance(error, NetworkError | FetchTimeout):
        return Verdict(Outcome.RETRY, None, None, reason)
    return Verdict(Outcome.FINAL, None, None, reason)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter and a cap.

    Attempt ``n`` (1 for the first retry) waits a uniform random time in
    ``[0, min(cap, base * factor ** (n - 1))]``, and at least what the peer asked for in
    ``Retry-After`` (itself capped when parsed). With the defaults the ceilings add up to
    about 3.2 days over 17 retries, so a delivery is given up after about two days on average.
    """

    base: float = 60.0
    factor: float = 2.0
    cap: float = 12 * 3600.0
    max_attempts: int = 18
    retry_after_cap: float = 12 * 3600.0

    def ceiling(self, retry: int) -> float:
        """The largest delay before retry number ``retry`` (1-based)."""
        exponent = min(max(retry - 1, 0), 64)  # factor**64 is past any sane cap
        return min(self.cap, self.base * self.factor**exponent)

    def next_delay(
        self, attempts: int, rng: random.Random, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait after ``attempts`` failed attempts, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        delay = rng.uniform(0.0, self.ceiling(attempts))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry_after_cap))
        return delay


class BreakerState(enum.StrEnum):
    """Circuit-breaker states of one remote host."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When the breaker opens, how long it stays open, when a host is unavailable."""

    failure_threshold: int = 5
    open_for: timedelta = timedelta(minutes=10)
    probe_timeout: timedelta = timedelta(minutes=2)
    unavailable_after_days: int = 7


DEFAULT_BREAKER = BreakerPolicy()


@dataclass(frozen=True, slots=True)
class HostHealth:
    """The persisted health of one remote host. Replace it, never mutate it.

    ``failures`` counts consecutive failed attempts; ``failure_days`` the distinct UTC days on
    which an attempt failed since the last success (or inbound request).
    """

    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    probe_started_at: datetime | None = None
    failure_days: frozenset[date] = field(default_factory=frozenset)

    def unavailable(self, policy: BreakerPolicy = DEFAULT_BREAKER) -> bool:
        """A host that failed on enough distinct days: deliveries to it are skipped."""
        return len(self.failure_days) >= policy.unavailable_after_days

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form for storage."""
        return {
            "state": self.state.value,
            "failures": self.failures,
            "opened_at": None if self.opened_at is None else self.opened_at.isoformat(),
            "probe_started_at": (
                None if self.probe_started_at is None else self.probe_started_at.isoformat()
            ),
            "failure_days": sorted(day.isoformat() for day in self.failure_days),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostHealth:
        """The inverse of :meth:`to_dict`."""

        def moment(value: object) -> datetime | None:
            return None if value is None else datetime.fromisoformat(str(value))

        return cls(
            state=BreakerState(data["state"]),
            failures=int(data["failures"]),
            opened_at=moment(data.get("opened_at")),
            probe_started_at=moment(data.get("probe_started_at")),
            failure_days=frozenset(date.fromisoformat(d) for d in data.get("failure_days", ())),
        )


def breaker_allows(
    health: HostHealth, now: datetime, policy: BreakerPolicy = DEFAULT_BREAKER
) -> tuple[bool, HostHealth]:
    """Whether an attempt to this host may start now, and the state to persist.

    Closed: yes. Open: no, until ``open_for`` has passed; then one probe is let through and
    the breaker is half-open. Half-open: no while the probe runs (a probe that never reported
    back is forgotten after ``probe_timeout``).
    """
    if health.state is BreakerState.CLOSED:
        return True, health
    if health.state is BreakerState.OPEN:
        if health.opened_at is not None and now - health.opened_at < policy.open_for:
            return False, health
        return True, replace(health, state=BreakerState.HALF_OPEN, probe_started_at=now)
    started = health.probe_started_at
    if started is not None and now - started < policy.probe_timeout:
        return False, health
    return True, replace(health, probe_started_at=now)


def record_success(health: HostHealth, now: datetime) -> HostHealth:
    """A success closes the breaker and forgets every failure."""
    del health, now  # the signature matches record_failure; nothing of the past is kept
    return HostHealth()


def record_inbound(health: HostHealth, now: datetime) -> HostHealth:
    """An inbound request from the host shows it is alive: the same reset as a success."""
    return record_success(health, now)


def record_failure(
    health: HostHealth, now: datetime, policy: BreakerPolicy = DEFAULT_BREAKER
) -> HostHealth:
    """A retryable failure: count it, note the day, open the breaker when due."""
    failures = health.failures + 1
    days = health.failure_days | {now.astimezone(UTC).date()}
    opens = health.state is BreakerState.HALF_OPEN or (
        health.state is BreakerState.CLOSED and failures >= policy.failure_threshold
    )
    if opens:
        return HostHealth(
            state=BreakerState.OPEN,
            failures=failures,
            opened_at=now,
            failure_days=days,
        )
    return replace(health, failures=failures, failure_days=days)
