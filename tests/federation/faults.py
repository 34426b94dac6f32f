"""A network that loses, repeats, delays and reorders deliveries, and hosts that go down.

It sits between every server of a `FakeFediverse` (instances and fake peers)
and affects POSTs only (deliveries); fetches go through untouched, so a
retried delivery can always be verified. Random but seeded: a failing run
can be replayed with the seed it prints.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

Route = Callable[[httpx.Request], Awaitable[httpx.Response]]


@dataclass
class FaultCounts:
    dropped: int = 0
    duplicated: int = 0
    held: int = 0
    refused_down: int = 0


@dataclass
class FaultyNetwork:
    route: Route
    seed: int
    drop: float = 0.15
    duplicate: float = 0.15
    hold: float = 0.25
    down: set[str] = field(default_factory=set)
    counts: FaultCounts = field(default_factory=FaultCounts)
    _held: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.netloc.decode("ascii")
        if host in self.down:
            self.counts.refused_down += 1
            raise httpx.ConnectError(f"{host} is down", request=request)
        if request.method != "POST":
            return await self.route(request)
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=await request.aread()
        )
        luck = self._random.random()
        if luck < self.drop:
            self.counts.dropped += 1
            raise httpx.ConnectError("lost on the way", request=request)
        if luck < self.drop + self.hold:
            # Acknowledged now, delivered later, in another order (a slow proxy's queue).
            self.counts.held += 1
            self._held.append(copy)
            return httpx.Response(202, request=request)
        response = await self.route(request)
        if luck < self.drop + self.hold + self.duplicate:
            self.counts.duplicated += 1
            await self.route(copy)
        return response

    async def release(self) -> int:
        """Deliver what was held, shuffled. Having acknowledged it, the network owes it:
        what is refused (a host down, a key not fetchable yet) is kept for later."""
        held, self._held = self._held, []
        self._random.shuffle(held)
        delivered = 0
        for request in held:
            if request.url.netloc.decode("ascii") in self.down:
                self._held.append(request)
                continue
            if (await self.route(request)).is_success:
                delivered += 1
            else:
                self._held.append(request)
        return delivered

    @property
    def holding(self) -> int:
        return len(self._held)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


__all__ = ["FaultCounts", "FaultyNetwork"]
