"""Remote hosts: domain blocks and delivery health (circuit breaker, unavailability)."""

from __future__ import annotations

from datetime import datetime

from activitypub.errors import InvalidDocument
from activitypub.ids import origin_of
from activitypub.retry import (
    HostHealth,
    Verdict,
    breaker_allows,
    record_failure,
    record_inbound,
    record_success,
)
from fedimob.clock import utcnow
from fedimob.errors import ValidationError
from fedimob.models import RemoteHost


def host_of(url: str) -> str:
    """The normalised host of an id (IDNA, case-folded, no trailing dot, no port).

    Blocks and host health are keyed by this, so `evil.example.` or
    `EVIL.example:443` cannot slip past a block of `evil.example`.
    """
    try:
        return origin_of(url).host
    except InvalidDocument:
        return ""


def normalise_domain(domain: str) -> str:
    """A domain as typed by an admin (`Example.ORG`, `https://example.org/`) -> `example.org`."""
    candidate = domain.strip()
    if "://" not in candidate:
        candidate = f"https://{candidate.rstrip('/')}/"
    try:
        host = origin_of(candidate).host
    except InvalidDocument:
        raise ValidationError(f"{domain!r} is not a domain", field="domain") from None
    if "." not in host and host != "localhost":
        raise ValidationError(f"{domain!r} is not a domain", field="domain")
    return host


def _blocked_candidates(host: str) -> list[str]:
    """`a.b.example.org` is blocked by a block of itself or of any parent domain."""
    if ":" in host:  # an IPv6 literal: only itself
        return [host]
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)] or [host]


async def is_blocked(host: str) -> bool:
    if not host:
        return True  # no usable host: nothing to talk to
    return await RemoteHost.filter(
        domain__in=_blocked_candidates(host.lower()), blocked=True
    ).exists()


async def block(domain: str, *, reason: str = "", now: datetime | None = None) -> RemoteHost:
    name = normalise_domain(domain)
    row, _ = await RemoteHost.get_or_create(domain=name)
    row.blocked, row.block_reason, row.blocked_at = True, reason[:2000], now or utcnow()
    await row.save()
    return row


async def unblock(domain: str) -> bool:
    return bool(
        await RemoteHost.filter(domain=normalise_domain(domain), blocked=True).update(blocked=False)
    )


async def blocked_domains() -> list[RemoteHost]:
    return await RemoteHost.filter(blocked=True).order_by("domain")


async def health_of(host: str) -> HostHealth:
    row = await RemoteHost.get_or_none(domain=host)
    return HostHealth.from_dict(row.health) if row and row.health else HostHealth()


async def _store(host: str, health: HostHealth) -> None:
    updated = await RemoteHost.filter(domain=host).update(health=health.to_dict())
    if not updated:
        await RemoteHost.get_or_create(domain=host, defaults={"health": health.to_dict()})


async def note_delivery(host: str, verdict: Verdict, *, now: datetime) -> HostHealth:
    """Fold one delivery attempt into the host's health."""
    health = await health_of(host)
    if verdict.host_failed:
        health = record_failure(health, now)
    elif verdict.status_code is not None:
        health = record_success(health, now)
    await _store(host, health)
    return health


async def note_inbound(host: str, *, now: datetime) -> None:
    """Any request from a host shows it is alive: reset its unavailability."""
    health = await health_of(host)
    if health.failure_days or health.failures:
        await _store(host, record_inbound(health, now))


async def breaker_open(host: str, *, now: datetime) -> bool:
    """Whether deliveries to `host` must wait (persisting a half-open probe if one starts)."""
    health = await health_of(host)
    allowed, updated = breaker_allows(health, now)
    if updated != health:
        await _store(host, updated)
    return not allowed
