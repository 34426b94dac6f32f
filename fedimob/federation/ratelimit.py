"""Per-host token buckets for the inbox (in memory: a cache, not a record)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


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
