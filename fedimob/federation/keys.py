"""Resolving the keys that sign inbound requests, from our cache or the network.

The cache is the `Actor` table. A key we do not have is fetched once (without
following redirects to another id), and its owner's document must list it. A
key that could not be fetched is remembered for a while (negative cache), and
a site that keeps failing stops being asked for a minute (per-source breaker),
so a flood of bad signatures cannot make us fetch a thousand times. The
breaker counts per registrable domain (`evil.example` for
`x1.evil.example`), so random subdomains do not dodge it.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from activitypub.errors import ActivityPubError, InvalidDocument, KeyUnavailable
from activitypub.ids import same_origin, strip_fragment
from activitypub.keys import PublicKey, load_public_key_pem
from activitypub.verify import ResolvedKey
from activitypub.vocab import find_public_key
from fedimob.federation.context import Federation
from fedimob.federation.key_memory import KeyMemory
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.models import Actor

NEGATIVE_TTL = 300.0
BREAKER_WINDOW = 60.0
BREAKER_FAILURES = 10


@functools.cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list bundled with the package: no network


def breaker_key(key_id: str) -> str:
    """The site a key belongs to, for the breaker: its registrable domain, or its address."""
    host = (urlsplit(key_id).hostname or "").rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return _suffixes().privatesuffix(host) or host


@dataclass
class KeyFetchGuard:
    """In-memory limits on key fetching (a cache: losing it on restart is fine)."""

    clock: Callable[[], float] = time.monotonic
    negative: dict[str, float] = field(default_factory=dict)
    failures: dict[str, list[float]] = field(default_factory=dict)

    def refused(self, key_id: str) -> str | None:
        now = self.clock()
        if self.negative.get(key_id, 0) > now:
            return "recently unavailable"
        host = breaker_key(key_id)
        recent = [t for t in self.failures.get(host, []) if now - t < BREAKER_WINDOW]
        self.failures[host] = recent
        return "too many failures from this host" if len(recent) >= BREAKER_FAILURES else None

    def failed(self, key_id: str) -> None:
        now = self.clock()
        self.negative[key_id] = now + NEGATIVE_TTL
        if len(self.negative) > 10_000:  # bounded: forget the oldest half
            for stale in sorted(self.negative, key=self.negative.__getitem__)[:5_000]:
                del self.negative[stale]
        self.failures.setdefault(breaker_key(key_id), []).append(now)
        if len(self.failures) > 10_000:  # bounded: forget hosts with no recent failure
            self.failures = {
                host: times for host, times in self.failures.items()
                if times and now - times[-1] < BREAKER_WINDOW
            }  # fmt: skip


class StoredKeyResolver:
    """The application's `KeyResolver`: memory, then the Actor table, then the network once."""

    def __init__(
        self,
        federation: Federation,
        guard: KeyFetchGuard | None = None,
        memory: KeyMemory | None = None,
    ) -> None:
        self.federation = federation
        self.guard = guard or KeyFetchGuard()
        self.memory = memory or federation.keys

    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        if not refresh:
            remembered = self.memory.get(key_id)
            if remembered is not None:
                return remembered
            cached = await Actor.filter(key_id=key_id, domain__isnull=False).first()
            if cached is not None and cached.public_key_pem and cached.ap_id:
                resolved = ResolvedKey(_usable(cached.public_key_pem), cached.ap_id)
                self.memory.put(key_id, resolved)
                return resolved
        reason = self.guard.refused(key_id)
        if reason:
            raise KeyUnavailable(f"key {key_id}: {reason}")
        try:
            actor = await self._fetch(key_id)
        except (ActivityPubError, ValueError) as error:
            self.guard.failed(key_id)
            raise KeyUnavailable(f"key {key_id}: {error}") from None
        resolved = ResolvedKey(_usable(actor.public_key_pem), actor.ap_id or "", fresh=True)
        self.memory.put(key_id, resolved)
        return resolved

    async def _fetch(self, key_id: str) -> Actor:
        if self.federation.urls.is_local(key_id):
            raise KeyUnavailable("a local key is never fetched")
        document = await self.federation.fetch_object(
            strip_fragment(key_id), follow_redirects=False
        )
        if "inbox" not in document and isinstance(document.get("owner"), str):
            # A standalone key document: its owner must be on its origin and list it.
            owner_id: str = document["owner"]
            if not same_origin(owner_id, key_id):
                raise KeyUnavailable("the key's owner is on another origin")
            document = await self.federation.fetch_object(owner_id)
        listed = find_public_key(document, key_id)
        if listed is None or not listed.pem:
            raise KeyUnavailable("the owner's document does not list this key")
        _usable(listed.pem)  # refuse before storing: a bad key must not be cached
        actor = await store_remote_actor(_as_dict(document))
        if actor.key_id != key_id or not actor.public_key_pem:
            raise KeyUnavailable("the owner's document does not list this key")
        return actor


def _usable(pem: str) -> PublicKey:
    """The parsed key, or KeyUnavailable (garbage, or an RSA key under 2048 bits)."""
    try:
        return load_public_key_pem(pem)
    except (InvalidDocument, ValueError) as error:
        raise KeyUnavailable(f"unusable key: {error}") from None


def _as_dict(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise KeyUnavailable("not a JSON object")
    return document
