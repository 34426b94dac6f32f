"""Failed-attempt counters in memory: slows password guessing on login and sign-up.

Per process, which is enough against one guesser: several web processes each
allow the limit, and a restart forgets. Only failures count, so people who
type their password right are never slowed.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque

from starlette.requests import Request


class FailureThrottle:
    """At most `limit` failures per key within `window` seconds."""

    def __init__(self, limit: int, window: float, *, max_keys: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, key: str, *, now: float | None = None) -> bool:
        return len(self._recent(key, time.monotonic() if now is None else now)) >= self.limit

    def fail(self, key: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        failures = self._recent(key, now)
        failures.append(now)
        self._failures[key] = failures
        self._failures.move_to_end(key)
        # Bounded memory under a flood of distinct keys: forget the oldest.
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


class Throttles:
    """The web's counters, one set per app (tests run several apps in a process)."""

    def __init__(self) -> None:
        self.login_ip = FailureThrottle(limit=30, window=15 * 60)
        self.login_user = FailureThrottle(limit=8, window=15 * 60)
        self.signup_ip = FailureThrottle(limit=10, window=60 * 60)
        # Wrong passwords typed while logged in (changing it, deleting the account):
        # a stolen session must not become a way to guess the password.
        self.password_check = FailureThrottle(limit=8, window=15 * 60)


def throttles(request: Request) -> Throttles:
    found: Throttles | None = getattr(request.app.state, "web_throttles", None)
    if found is None:
        found = Throttles()
        request.app.state.web_throttles = found
    return found


def client_ip(request: Request) -> str:
    """Who is asking, for the throttles: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber holds a whole /64: counting its addresses apart would
    give them 2^64 allowances.
    """
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
