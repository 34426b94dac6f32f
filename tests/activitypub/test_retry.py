"""Retry policy, outcome classification and the per-host circuit breaker."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.errors import (
    BadContentType,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    OriginMismatch,
    ResponseTooLarge,
    TooManyRedirects,
    UnsafeURL,
)
from activitypub.retry import (
    BreakerPolicy,
    BreakerState,
    HostHealth,
    Outcome,
    RetryPolicy,
    breaker_allows,
    classify_error,
    classify_status,
    parse_retry_after,
    record_failure,
    record_inbound,
    record_success,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.SUCCESS),
        (202, Outcome.SUCCESS),
        (204, Outcome.SUCCESS),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
        (504, Outcome.RETRY),
        (401, Outcome.RETRY),
        (408, Outcome.RETRY),
        (429, Outcome.RETRY),
        (400, Outcome.FINAL),
        (403, Outcome.FINAL),
        (404, Outcome.FINAL),
        (405, Outcome.FINAL),
        (413, Outcome.FINAL),
        (422, Outcome.FINAL),
        (301, Outcome.FINAL),
        (302, Outcome.FINAL),
        (410, Outcome.GONE),
    ],
)
def test_classify_status(status: int, outcome: Outcome) -> None:
    verdict = classify_status(status, now=NOW)
    assert verdict.outcome is outcome
    assert verdict.status_code == status
    assert verdict.host_failed is (outcome is Outcome.RETRY)


def test_retry_after_seconds_kept_on_retryable_answers_only() -> None:
    assert classify_status(429, "120", now=NOW).retry_after == 120.0
    assert classify_status(503, "7", now=NOW).retry_after == 7.0
    assert classify_status(404, "120", now=NOW).retry_after is None


def test_retry_after_http_date() -> None:
    value = "Tue, 24 Nov 2026 12:05:00 GMT"
    assert parse_retry_after(value, NOW, cap=3600) == 300.0
    assert classify_status(503, value, now=NOW).retry_after == 300.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Tue, 24 Nov 2026 11:00:00 GMT", 0.0),  # in the past
        ("99999999999999999999", 3600.0),  # capped
        ("Fri, 01 Jan 2100 00:00:00 GMT", 3600.0),  # capped
        (" 30 ", 30.0),
    ],
)
def test_parse_retry_after_edges(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW, cap=3600.0) == expected


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (NetworkError("refused"), Outcome.RETRY),
        (FetchTimeout("slow"), Outcome.RETRY),
        (UnsafeURL("private"), Outcome.FINAL),
        (ResponseTooLarge("big"), Outcome.FINAL),
        (BadContentType("html"), Outcome.FINAL),
        (OriginMismatch("id"), Outcome.FINAL),
        (TooManyRedirects("loop"), Outcome.FINAL),
        (HTTPStatusError(503, "https://a.example/inbox", 30.0), Outcome.RETRY),
        (HTTPStatusError(404, "https://a.example/inbox"), Outcome.FINAL),
        (HTTPStatusError(410, "https://a.example/inbox"), Outcome.GONE),
    ],
)
def test_classify_error(error: FetchError, outcome: Outcome) -> None:
    assert classify_error(error).outcome is outcome


def test_classify_error_keeps_status_and_retry_after() -> None:
    verdict = classify_error(HTTPStatusError(429, "https://a.example/inbox", 60.0))
    assert (verdict.status_code, verdict.retry_after) == (429, 60.0)


def test_backoff_ceilings_grow_then_cap() -> None:
    policy = RetryPolicy(base=60.0, factor=2.0, cap=3600.0)
    ceilings = [policy.ceiling(n) for n in range(1, 12)]
    assert ceilings[:3] == [60.0, 120.0, 240.0]
    assert ceilings == sorted(ceilings)
    assert max(ceilings) == 3600.0
    assert policy.ceiling(10_000) == 3600.0  # no overflow


@given(st.integers(min_value=1, max_value=17), st.integers(min_value=0, max_value=2**32))
def test_delay_is_full_jitter_within_ceiling(attempts: int, seed: int) -> None:
    policy = RetryPolicy()
    delay = policy.next_delay(attempts, random.Random(seed))
    assert delay is not None
    assert 0.0 <= delay <= policy.ceiling(attempts)


def test_gives_up_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=5)
    rng = random.Random(1)
    assert policy.next_delay(4, rng) is not None
    assert policy.next_delay(5, rng) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(base=1.0, cap=10.0, retry_after_cap=3600.0)
    rng = random.Random(3)
    assert policy.next_delay(1, rng, retry_after=600.0) == 600.0
    assert policy.next_delay(1, rng, retry_after=10**9) == 3600.0


def test_default_schedule_spans_about_two_days() -> None:
    policy = RetryPolicy()
    rng = random.Random(42)
    totals = []
    for _ in range(500):
        total = 0.0
        attempts = 1
        while (delay := policy.next_delay(attempts, rng)) is not None:
            total += delay
            attempts += 1
        assert attempts == policy.max_attempts
        totals.append(total)
    mean_days = sum(totals) / len(totals) / 86400
    assert 1.5 <= mean_days <= 2.5
    assert max(totals) <= sum(policy.ceiling(n) for n in range(1, policy.max_attempts))


# --- circuit breaker ----------------------------------------------------------------------

POLICY = BreakerPolicy(failure_threshold=3, open_for=timedelta(minutes=10))


def _fail(health: HostHealth, times: int, at: datetime = NOW) -> HostHealth:
    for _ in range(times):
        health = record_failure(health, at, POLICY)
    return health


def test_breaker_opens_after_threshold_and_refuses() -> None:
    health = _fail(HostHealth(), 2)
    assert health.state is BreakerState.CLOSED
    assert breaker_allows(health, NOW, POLICY)[0]
    health = _fail(health, 1)
    assert health.state is BreakerState.OPEN
    assert health.opened_at == NOW
    allowed, same = breaker_allows(health, NOW + timedelta(minutes=9), POLICY)
    assert not allowed
    assert same == health


def test_breaker_half_open_lets_one_probe_through() -> None:
    health = _fail(HostHealth(), 3)
    later = NOW + timedelta(minutes=10)
    allowed, probing = breaker_allows(health, later, POLICY)
    assert allowed
    assert probing.state is BreakerState.HALF_OPEN
    assert not breaker_allows(probing, later + timedelta(seconds=1), POLICY)[0]
    # a probe that never reported back is forgotten after probe_timeout
    assert breaker_allows(probing, later + POLICY.probe_timeout, POLICY)[0]


def test_probe_success_closes_and_probe_failure_reopens() -> None:
    later = NOW + timedelta(minutes=10)
    _, probing = breaker_allows(_fail(HostHealth(), 3), later, POLICY)
    closed = record_success(probing, later)
    assert closed == HostHealth()
    reopened = record_failure(probing, later, POLICY)
    assert reopened.state is BreakerState.OPEN
    assert reopened.opened_at == later
    assert not breaker_allows(reopened, later + timedelta(minutes=5), POLICY)[0]


def test_unavailable_after_seven_distinct_failure_days() -> None:
    health = HostHealth()
    for day in range(6):
        at = NOW + timedelta(days=day)
        health = _fail(health, 4, at)  # many failures a day count as one day
    assert len(health.failure_days) == 6
    assert not health.unavailable()
    health = record_failure(health, NOW + timedelta(days=6), POLICY)
    assert health.unavailable()
    assert not record_success(health, NOW).unavailable()
    assert not record_inbound(health, NOW).unavailable()
    assert record_inbound(health, NOW).state is BreakerState.CLOSED


def test_failure_days_are_utc_days() -> None:
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    health = record_failure(HostHealth(), late.astimezone(UTC), POLICY)
    assert health.failure_days == frozenset({date(2026, 11, 24)})


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@given(
    st.sampled_from(list(BreakerState)),
    st.integers(min_value=0, max_value=10**6),
    st.none() | moments,
    st.none() | moments,
    st.frozensets(st.dates(), max_size=10),
)
def test_health_round_trips_through_json(
    state: BreakerState,
    failures: int,
    opened_at: datetime | None,
    probe: datetime | None,
    days: frozenset[date],
) -> None:
    health = HostHealth(state, failures, opened_at, probe, days)
    assert HostHealth.from_dict(json.loads(json.dumps(health.to_dict()))) == health
