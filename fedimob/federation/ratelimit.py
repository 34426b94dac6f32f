"""Per-host token buckets for the inbox (in memory: a cache, not a record)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class InFlight:
    """Counts requests being handled; past `limit`, the caller should answer 503.

    Answering at once beyond capacity keeps latency bounded and lets peers
    retry later (they honour Retry-After), where queueing would time them out.
    """

    limit: int = 128
    current: int = 0

    def enter(self) -> bool:
        if self.current >= self.limit:
            return False
        self.current += 1
        return True

    def leave(self) -> None:
        self.current -= 1


@dataclass
class TokenBuckets:
    """`rate` requests per second per key, bursts up to `burst`."""

    rate: float = 200.0
    burst: float = 2000.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> float | None:
        """None if a request may pass now, else the seconds to wait before retrying."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 50_000:  # bounded: drop full (idle) buckets
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst - 1}
        return None
