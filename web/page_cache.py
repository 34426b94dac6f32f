"""A very short cache of public pages for visitors without a cookie ("microcaching").

A campaign shared on Mastodon is opened by thousands of people in the same
minute, none of them logged in. For them the page is the same, so it is
rendered once per `FEDIMOB_PAGE_CACHE_SECONDS` (2 s by default; 0 turns it
off) per address and language, instead of once per visitor. Counts are at
most that much late. Never cached: anything for a visitor with a cookie
(their session, their CSRF token, their name), any response that sets a
cookie, anything but a 200, any method but GET.

When a page expires, one request renders it again while the others are
served the page they would have got a moment earlier (no stampede of 64
renderings at once).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

MAX_ENTRIES = 512
MAX_BODY = 512 * 1024


# (path, query, locale): apart, so an encoded "?" in a path cannot alias another address.
Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._refreshing: set[Key] = set()

    def key_for(self, request: Request, locale: str) -> Key | None:
        """The cache key, or None when this request must not be served from the cache."""
        if self.seconds <= 0 or request.method != "GET" or "cookie" in request.headers:
            return None
        return (request.url.path, request.url.query, locale)

    def get(self, key: Key) -> Response | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self.clock() and key not in self._refreshing:
            self._refreshing.add(key)
            return None  # this request renders it again; see `done`
        # Fresh, or another request is rendering it: the page of a moment ago will do.
        self._entries.move_to_end(key)
        response = Response(entry.body, status_code=200)
        response.raw_headers = [(k.encode(), v.encode()) for k, v in entry.headers]
        return response

    def done(self, key: Key) -> None:
        """The request that was rendering `key` finished (stored or not)."""
        self._refreshing.discard(key)

    def put(self, key: Key, response: Response) -> None:
        headers = [(k.decode(), v.decode()) for k, v in response.raw_headers]
        if response.status_code != 200 or any(k == "set-cookie" for k, _ in headers):
            return
        body = bytes(response.body) if hasattr(response, "body") else b""
        if not body or len(body) > MAX_BODY:
            return  # streamed or huge: not worth keeping
        self._entries[key] = _Entry(self.clock() + self.seconds, body, tuple(headers))
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
