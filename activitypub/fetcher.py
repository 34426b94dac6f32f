"""The one outbound client: fetch objects, fetch JSON, deliver activities.

Every rule of SECURITY.md "Outbound requests" is enforced here or in the transport under it
(:mod:`activitypub.transport`): https only (http too in development), no control characters,
every resolved address public, redirects followed by hand (at most 3, each hop re-checked, no
loops), a connect timeout and a **total deadline** around the whole exchange (a peer that
drips one byte a second is cut), bodies streamed and counted against a cap (after gzip), JSON
that is too deep or has absurd numbers refused, and a fetched object's ``id`` equal to the
URL it was finally fetched from.

Signing is not done here: pass an ``httpx.Auth`` (e.g. the HTTP-signature auth) per call.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx

from activitypub.bodies import (
    ACTIVITY_CONTENT_TYPE,
    AS_PROFILE,
    drain,
    is_activity_content_type,
    is_json_content_type,
    parse_json,
    read_capped,
)
from activitypub.errors import (
    BadContentType,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidDocument,
    NetworkError,
    OriginMismatch,
    TooManyRedirects,
    UnsafeURL,
)
from activitypub.retry import Verdict, classify_error, classify_status, parse_retry_after
from activitypub.transport import GuardedTransport, check_url

__all__ = ["ACTIVITY_ACCEPT", "DEFAULT_LIMITS", "JSON_ACCEPT", "FetchLimits", "SafeClient"]

ACTIVITY_ACCEPT = f'application/activity+json, application/ld+json; profile="{AS_PROFILE}"'
JSON_ACCEPT = "application/jrd+json, application/json;q=0.9"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Limits of every outbound exchange; defaults from SECURITY.md."""

    connect_timeout: float = 5.0
    deadline: float = 30.0  # the whole exchange: redirects, headers and body
    max_body: int = 1024 * 1024  # JSON documents, counted after decompression
    max_redirects: int = 3
    max_delivery_answer: int = 64 * 1024  # read (and dropped) from an inbox's answer


DEFAULT_LIMITS = FetchLimits()


def _without_fragment(url: httpx.URL) -> str:
    return str(url.copy_with(fragment=None))


@asynccontextmanager
async def _exchange(deadline: float, url: str) -> AsyncIterator[None]:
    """Apply the total deadline and turn transport failures into our errors."""
    try:
        async with asyncio.timeout(deadline):
            yield
    except TimeoutError as exc:
        raise FetchTimeout(f"{url}: no complete answer within {deadline} s") from exc
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"{url}: {type(exc).__name__}") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise UnsafeURL(f"{url}: {exc}") from exc
    except httpx.TransportError as exc:
        # The message may quote what the peer sent: keep it short.
        raise NetworkError(f"{url}: {type(exc).__name__}: {str(exc)[:200]}") from exc


class SafeClient:
    """The one outbound HTTP client of the library. Use as an async context manager.

    ``allow_private`` is the development switch (loopback/private peers, plain http).
    ``transport`` replaces the guarded transport (tests with ``httpx.MockTransport``); URL
    checks still apply, address checks are then the transport's business.
    """

    def __init__(
        self,
        *,
        user_agent: str = "activitypub-python",
        limits: FetchLimits = DEFAULT_LIMITS,
        allow_private: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.limits = limits
        self.allow_private = allow_private
        if transport is None:
            transport = GuardedTransport(allow_private=allow_private)
        self._transport = transport
        self._user_agent = user_agent
        # Reads, writes and the wait for a pooled connection are bounded by the total
        # deadline around each exchange; a second timer per request would only cost.
        self._timeouts: dict[str, float | None] = {
            "connect": limits.connect_timeout,
            "read": None,
            "write": None,
            "pool": None,
        }

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._transport.aclose()

    async def fetch_object(
        self, url: str, *, auth: httpx.Auth | None = None, follow_redirects: bool = True
    ) -> dict[str, Any]:
        """GET an ActivityPub object and check that its ``id`` is the final URL.

        ``auth`` signs the GET for servers in authorized-fetch mode. With
        ``follow_redirects=False`` (key documents) any redirect is refused.
        """
        final, document = await self._get_json(
            url,
            accept=ACTIVITY_ACCEPT,
            acceptable=is_activity_content_type,
            auth=auth,
            follow_redirects=follow_redirects,
        )
        if not isinstance(document, dict):
            raise InvalidDocument(f"{final}: not a JSON object")
        identifier = document.get("id")
        if not isinstance(identifier, str) or not _same_url(identifier, final):
            raise OriginMismatch(f"{final}: document id {identifier!r} is not the URL fetched")
        return document

    async def get_json(
        self,
        url: str,
        *,
        auth: httpx.Auth | None = None,
        accept: str = JSON_ACCEPT,
        acceptable: Callable[[str], bool] = is_json_content_type,
    ) -> Any:
        """GET plain JSON (WebFinger, NodeInfo): same limits, no ``id`` check."""
        _final, document = await self._get_json(
            url, accept=accept, acceptable=acceptable, auth=auth, follow_redirects=True
        )
        return document

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        auth: httpx.Auth | None = None,
        content_type: str = ACTIVITY_CONTENT_TYPE,
    ) -> Verdict:
        """POST ``body`` to an inbox and classify what happened; never raises FetchError.

        Redirects are not followed (a signed POST is bound to its target).
        """
        try:
            target = _checked(url, self.allow_private)
            async with _exchange(self.limits.deadline, url):
                request = self._post_request(target, body, content_type)
                response = await self._send(request, auth)
                try:
                    await drain(response, self.limits.max_delivery_answer)
                finally:
                    await response.aclose()
        except FetchError as exc:
            return classify_error(exc)
        return classify_status(
            response.status_code, response.headers.get("retry-after"), now=datetime.now(UTC)
        )

    def _get_request(self, url: httpx.URL, accept: str) -> httpx.Request:
        headers = {"User-Agent": self._user_agent, "Accept": accept, "Accept-Encoding": "gzip"}
        return httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeouts})

    def _post_request(self, url: httpx.URL, body: bytes, content_type: str) -> httpx.Request:
        headers = {
            "User-Agent": self._user_agent,
            "Accept": ACTIVITY_ACCEPT,
            "Content-Type": content_type,
        }
        return httpx.Request(
            "POST", url, headers=headers, content=body, extensions={"timeout": self._timeouts}
        )

    async def _send(self, request: httpx.Request, auth: httpx.Auth | None) -> httpx.Response:
        """Send through the transport, driving ``auth``'s flow (signing, double knock).

        The transport is called directly rather than through ``httpx.AsyncClient``: the
        client's cookie jar, hooks and redirect machinery are not wanted here, and they cost
        more per request than the whole transport.
        """
        if auth is None:
            response = await self._transport.handle_async_request(request)
            response.request = request
            return response
        if auth.requires_request_body:
            await request.aread()
        flow = auth.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            while True:
                response = await self._transport.handle_async_request(request)
                response.request = request
                if auth.requires_response_body:
                    await response.aread()
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                try:  # e.g. a 401 before the second knock: read it to keep the connection
                    await drain(response, self.limits.max_delivery_answer)
                finally:
                    await response.aclose()
        finally:
            await flow.aclose()

    async def _get_json(
        self,
        url: str,
        *,
        accept: str,
        acceptable: Callable[[str], bool],
        auth: httpx.Auth | None,
        follow_redirects: bool,
    ) -> tuple[httpx.URL, Any]:
        # The fragment never goes on the wire; the id check ignores it too.
        current = _checked(url, self.allow_private).copy_with(fragment=None)
        seen = {_without_fragment(current)}
        async with _exchange(self.limits.deadline, url):
            for _hop in range(self.limits.max_redirects + 1):
                request = self._get_request(current, accept)
                response = await self._send(request, auth)
                try:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location is not None:
                        if not follow_redirects:
                            raise TooManyRedirects(f"{current}: redirect refused")
                        current = self._next_hop(current, location, seen)
                        continue
                    body = await self._read_document(response, acceptable)
                finally:
                    await response.aclose()
                return current, parse_json(body)
        raise TooManyRedirects(f"{url}: more than {self.limits.max_redirects} redirects")

    def _next_hop(self, current: httpx.URL, location: str, seen: set[str]) -> httpx.URL:
        if re.search(r"[\x00-\x1f\x7f]", location):
            raise UnsafeURL("control characters in Location")
        try:
            target = current.join(location.strip())
        except httpx.InvalidURL as exc:
            raise UnsafeURL(f"unparsable Location: {exc}") from exc
        target = check_url(target, allow_private=self.allow_private).copy_with(fragment=None)
        key = str(target)
        if key in seen:
            raise TooManyRedirects(f"redirect loop at {key}")
        seen.add(key)
        return target

    async def _read_document(
        self, response: httpx.Response, acceptable: Callable[[str], bool]
    ) -> bytes:
        if not response.is_success:
            retry_after = parse_retry_after(
                response.headers.get("retry-after"), datetime.now(UTC), cap=12 * 3600.0
            )
            raise HTTPStatusError(response.status_code, str(response.url), retry_after)
        content_type = response.headers.get("content-type", "")
        if not acceptable(content_type):
            raise BadContentType(f"{response.url}: content type {content_type!r}")
        return await read_capped(response, self.limits.max_body)


@functools.lru_cache(maxsize=4096)
def _checked(url: str, allow_private: bool) -> httpx.URL:
    # Deliveries go to the same few inboxes again and again; parsing a URL costs more
    # than signing overhead, so the verdict is cached (the address check happens per
    # connection in the transport anyway).
    return check_url(url, allow_private=allow_private)


def _same_url(identifier: str, final: httpx.URL) -> bool:
    try:
        parsed = httpx.URL(identifier)
    except httpx.InvalidURL:
        return False
    return _without_fragment(parsed) == _without_fragment(final)
