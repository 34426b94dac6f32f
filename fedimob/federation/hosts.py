"""Remote hosts: domain blocks and delivery health (circuit breaker, unavailability)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tortoise.exceptions import IntegrityError

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
from fedimob.db import in_transaction
from fedimob.errors import ValidationError
from fedimob.models import RemoteHost

T = TypeVar("T")


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


@dataclass
class BlockList:
    """The blocked domains, read at most every `ttl` seconds (the inbox asks on every request).

    A block changed in this process applies at once (`block()` and `unblock()`
    bump a generation every BlockList checks); one made by another process,
    such as `fedimob block add`, within `ttl` seconds.
    """

    ttl: float = 5.0
    clock: Callable[[], float] = time.monotonic
    _domains: frozenset[str] = frozenset()
    _loaded_at: float = float("-inf")
    _seen: int = -1

    async def contains(self, host: str) -> bool:
        if not host:
            return True  # no usable host: nothing to talk to
        if self._seen != _changes[0] or self.clock() - self._loaded_at > self.ttl:
            self._seen = _changes[0]
            rows = await RemoteHost.filter(blocked=True).only("domain")
            self._domains = frozenset(row.domain for row in rows)
            self._loaded_at = self.clock()
        return any(candidate in self._domains for candidate in _blocked_candidates(host))


_changes = [0]  # bumped by every block change made in this process


async def is_blocked(host: str) -> bool:
    """Uncached check, for paths where one query does not matter."""
    if not host:
        return True  # no usable host: nothing to talk to
    candidates = _blocked_candidates(host.lower())
    return await RemoteHost.filter(domain__in=candidates, blocked=True).exists()


async def block(domain: str, *, reason: str = "", now: datetime | None = None) -> RemoteHost:
    name = normalise_domain(domain)
    row, _ = await RemoteHost.get_or_create(domain=name)
    row.blocked, row.block_reason, row.blocked_at = True, reason[:2000], now or utcnow()
    await row.save()
    _changes[0] += 1
    return row


async def unblock(domain: str) -> bool:
    name = normalise_domain(domain)
    lifted = bool(await RemoteHost.filter(domain=name, blocked=True).update(blocked=False))
    _changes[0] += 1
    return lifted


async def blocked_domains() -> list[RemoteHost]:
    return await RemoteHost.filter(blocked=True).order_by("domain")


async def health_of(host: str) -> HostHealth:
    row = await RemoteHost.get_or_none(domain=host)
    return HostHealth.from_dict(row.health) if row and row.health else HostHealth()


async def _change_health(
    host: str, now: datetime, change: Callable[[HostHealth], tuple[T, HostHealth]]
) -> T:
    """Apply `change` to a host's health; written under the row's lock when it changes.

    Several workers deliver at once: an unlocked read-modify-write would lose
    failures (and let two workers both take the breaker's single probe). The
    common case, nothing to change, reads once and writes nothing.
    """
    current = await health_of(host)
    result, changed = change(current)
    if changed == current:
        return result
    if not await RemoteHost.exists(domain=host):
        with suppress(IntegrityError):  # another worker created it meanwhile
            await RemoteHost.create(domain=host)
    async with in_transaction():
        # An UPDATE first is the portable row lock (as for campaigns).
        await RemoteHost.filter(domain=host).update(updated_at=now)
        current = await health_of(host)
        result, changed = change(current)
        if changed != current:
            await RemoteHost.filter(domain=host).update(health=changed.to_dict())
    return result


async def note_delivery(host: str, verdict: Verdict, *, now: datetime) -> HostHealth:
    """Fold one delivery attempt into the host's health."""

    def change(health: HostHealth) -> tuple[HostHealth, HostHealth]:
        if verdict.host_failed:
            health = record_failure(health, now)
        elif verdict.status_code is not None:
            health = record_success(health, now)
        return health, health

    return await _change_health(host, now, change)


async def note_inbound(host: str, *, now: datetime) -> None:
    """Any request from a host shows it is alive: reset its unavailability."""

    def change(health: HostHealth) -> tuple[None, HostHealth]:
        if health.failure_days or health.failures:
            return None, record_inbound(health, now)
        return None, health

    await _change_health(host, now, change)


async def breaker_open(host: str, *, now: datetime) -> bool:
    """Whether deliveries to `host` must wait (persisting a half-open probe if one starts)."""
    return not await _change_health(host, now, lambda health: breaker_allows(health, now))
