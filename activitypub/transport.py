"""An httpx transport that only connects to public addresses (the SSRF guard).

The transport resolves every hostname itself (the event loop's ``getaddrinfo``), checks
**every** address with :mod:`activitypub.addresses`, and opens the connection to exactly
those checked addresses: nothing resolves the name a second time, so a DNS answer that
changes between check and connect (DNS rebinding) cannot slip a private address in. TLS SNI,
certificate verification and the ``Host`` header keep the hostname.

Connections are HTTP/1.1 (:mod:`activitypub.http1`), kept alive and pooled per origin with
a per-host limit. httpx's own pool sent about a seventh of what the signer can produce at
64 concurrent connections; this one stays close to a hand-written sender (see
``bench/bench_sender.py``). No redirects, cookies, proxies or decompression happen here:
the caller decides.

``allow_private=True`` is for development only (several instances federating on one
machine): it allows loopback and private peers and plain http, and logs a warning.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from ipaddress import ip_address

import httpx

from activitypub.addresses import address_allowed
from activitypub.errors import UnsafeURL
from activitypub.http1 import Http1Connection

__all__ = [
    "GuardedTransport",
    "Lookup",
    "check_header_value",
    "check_url",
    "resolve_checked",
    "system_lookup",
]

logger = logging.getLogger(__name__)

Lookup = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolve ``(hostname, port)`` to IP address strings."""

OriginKey = tuple[str, str, int]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


# Space, C0, DEL and C1: none belongs in a URL.
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
# In a header value only horizontal tab is tolerated among the controls.
_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _has_control_characters(text: str) -> bool:
    return _URL_CONTROL.search(text) is not None


def check_header_value(value: str | bytes) -> None:
    """Refuse (:class:`UnsafeURL`) a header value with CR, LF or another control character."""
    raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    if _HEADER_CONTROL.search(raw) is not None:
        raise UnsafeURL("control characters in a header value")


def check_url(url: str | httpx.URL, *, allow_private: bool = False) -> httpx.URL:
    """Parse ``url`` and refuse what the outbound client must never request.

    Refused with :class:`UnsafeURL`: control characters or spaces, a scheme other than
    https (and http with ``allow_private``), user info, no host, and a host that is an IP
    literal outside the allowed addresses. Hostnames are checked when they are resolved.
    """
    if isinstance(url, str):
        if _has_control_characters(url):
            raise UnsafeURL("control characters in URL")
        try:
            url = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise UnsafeURL(f"unparsable URL: {exc}") from exc
    elif _has_control_characters(str(url)):
        raise UnsafeURL("control characters in URL")
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if url.scheme not in allowed_schemes:
        raise UnsafeURL(f"scheme {url.scheme!r} refused")
    if url.userinfo:
        raise UnsafeURL("user info in URL refused")
    if not url.host:
        raise UnsafeURL("URL has no host")
    if not _host_allowed(url.host, allow_private):
        raise UnsafeURL(f"host {url.host} refused")
    return url


_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _host_allowed(host: str, allow_private: bool) -> bool:
    """False for a refused IP literal; True for any name (checked when resolved).

    A name whose last label is a number (``127.1``, ``2130706433``, ``0x7f.1``) is an IPv4
    address in a legacy spelling that resolvers accept; only the canonical form is allowed.
    """
    try:
        literal = ip_address(host)
    except ValueError:
        last_label = host.rstrip(".").rsplit(".", 1)[-1]
        return _NUMERIC_LABEL.fullmatch(last_label) is None
    return address_allowed(literal, allow_private=allow_private)


async def system_lookup(host: str, port: int) -> list[str]:
    """Resolve with the running event loop's ``getaddrinfo`` (TCP addresses only)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            addresses.append(str(sockaddr[0]))
    return addresses


async def resolve_checked(
    host: str, port: int, lookup: Lookup = system_lookup, *, allow_private: bool = False
) -> list[str]:
    """The addresses of ``host``, every one of them checked; :class:`UnsafeURL` otherwise.

    Refusing the whole answer (rather than dropping the bad addresses) is deliberate: a name
    that resolves to a private address is not a peer we want to talk to at all.
    """
    try:
        answer = list(await lookup(host, port))
    except OSError as exc:
        raise httpx.ConnectError(f"{host}: {exc}") from exc
    if not answer:
        raise httpx.ConnectError(f"{host} has no address")
    checked = []
    for text in answer:
        try:
            address = ip_address(text)
        except ValueError:
            raise UnsafeURL(f"{host} resolves to something that is not an address") from None
        if not address_allowed(address, allow_private=allow_private):
            raise UnsafeURL(f"{host} resolves to {address}, which is not a public address")
        checked.append(str(address))
    return checked


def _request_head(request: httpx.Request, body: bytes) -> bytes:
    """Serialise the request line and headers; the body is framed with Content-Length."""
    method = request.method.encode("ascii")
    if _TOKEN.fullmatch(method) is None:
        raise UnsafeURL(f"invalid method {method[:20]!r}")
    parts = [method, b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if _TOKEN.fullmatch(name) is None:
            raise UnsafeURL(f"invalid header name {name[:40]!r}")
        if _HEADER_CONTROL.search(value) is not None:
            raise UnsafeURL("control characters in a header value")
        if name.lower() in (b"content-length", b"transfer-encoding"):
            continue
        parts += (name, b": ", value, b"\r\n")
    if body or request.method in _BODY_METHODS:
        parts.append(b"Content-Length: %d\r\n" % len(body))
    parts.append(b"\r\n")
    return b"".join(parts)


class _ResponseBody(httpx.AsyncByteStream):
    """Streams the body, then hands the connection back to the pool (or closes it)."""

    def __init__(
        self,
        pool: GuardedTransport,
        key: OriginKey,
        connection: Http1Connection,
        slot: asyncio.Semaphore,
        timeout: float | None,
    ) -> None:
        self._pool = pool
        self._key = key
        self._connection = connection
        self._slot: asyncio.Semaphore | None = slot
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while chunk := await self._connection.read(self._timeout):
            yield chunk
        self._finish()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._slot is None:
            return
        self._slot.release()
        self._slot = None
        connection = self._connection
        if connection.complete and connection.keep_alive and not connection.closed:
            self._pool._check_in(self._key, connection)
        else:
            connection.close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """The transport of the one outbound client: SSRF-checked, pooled, keep-alive.

    ``lookup`` replaces DNS (tests); ``ssl_context`` replaces the default verifying context
    (tests with their own CA). Timeouts come from httpx's per-request ``timeout`` extension
    (connect, read, pool); the caller keeps a total deadline around the whole exchange.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        lookup: Lookup = system_lookup,
        ssl_context: ssl.SSLContext | None = None,
        max_connections_per_host: int = 64,
        max_idle_connections: int = 512,
        keepalive_expiry: float = 30.0,
    ) -> None:
        if allow_private:
            logger.warning(
                "DEVELOPMENT MODE: outbound requests may reach loopback and private "
                "addresses over plain http. Never enable this in production."
            )
        self.allow_private = allow_private
        self._lookup = lookup
        self._ssl_context = ssl_context
        self._max_per_host = max_connections_per_host
        self._max_idle = max_idle_connections
        self._keepalive_expiry = keepalive_expiry
        self._idle: dict[OriginKey, list[Http1Connection]] = {}
        self._idle_count = 0
        self._slots: dict[OriginKey, asyncio.Semaphore] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to a checked address and stream the response back."""
        url = check_url(request.url, allow_private=self.allow_private)
        if request.method in ("HEAD", "CONNECT"):
            raise httpx.UnsupportedProtocol(f"{request.method} is not supported")
        body = await request.aread()
        head = _request_head(request, body)
        timeouts = request.extensions.get("timeout", {})
        # The ASCII (IDNA) form, as in the Host header: DNS, SNI and the pool all use it.
        host = url.raw_host.decode("ascii")
        key: OriginKey = (url.scheme, host, url.port or _DEFAULT_PORTS[url.scheme])
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = asyncio.Semaphore(self._max_per_host)
        if slot.locked():
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await slot.acquire()
            except TimeoutError:
                raise httpx.PoolTimeout(f"no free connection to {host}") from None
        else:
            await slot.acquire()
        connection: Http1Connection | None = None
        sent = False
        try:
            connection = self._check_out(key)
            if connection is None:
                connection = await self._connect(key, timeouts.get("connect"))
            try:
                status, reason, headers = await connection.exchange(
                    head, body, timeouts.get("read")
                )
            except httpx.RemoteProtocolError:
                if not connection.reused or connection.received_any:
                    raise
                # The peer closed an idle connection just as we reused it, without a byte
                # of answer: send once more on a new connection (receivers deduplicate
                # activities by id, so a request that did arrive is not counted twice).
                connection.close()
                connection = await self._connect(key, timeouts.get("connect"))
                status, reason, headers = await connection.exchange(
                    head, body, timeouts.get("read")
                )
            sent = True
        finally:
            if not sent:  # an error or a cancellation (the caller's deadline)
                if connection is not None:
                    connection.close()
                slot.release()
        return httpx.Response(
            status_code=status,
            headers=headers,
            stream=_ResponseBody(self, key, connection, slot, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def _connect(self, key: OriginKey, patience: float | None) -> Http1Connection:
        """Resolve, check and connect within ``patience`` seconds (DNS included).

        Addresses are tried in the resolver's order; when there are several, each attempt
        gets a share of the time, so one black-holed address (say, IPv6 without a route)
        cannot use it all up.
        """
        scheme, host, port = key
        context = self._tls_context() if scheme == "https" else None
        server_hostname = host.rstrip(".") if context is not None else None
        loop = asyncio.get_running_loop()
        errors: list[str] = []
        try:
            async with asyncio.timeout(patience):
                try:
                    addresses = [str(ip_address(host))]  # a literal, checked by check_url
                except ValueError:
                    addresses = await resolve_checked(
                        host, port, self._lookup, allow_private=self.allow_private
                    )
                share = None
                if patience is not None and len(addresses) > 1:
                    share = max(patience / len(addresses), min(patience, 1.0))
                for address in addresses:
                    try:
                        async with asyncio.timeout(share):
                            _transport, connection = await loop.create_connection(
                                Http1Connection,
                                host=address,
                                port=port,
                                ssl=context,
                                server_hostname=server_hostname,
                            )
                    except TimeoutError:
                        errors.append(f"{address}: timed out")
                        continue
                    except OSError as exc:  # refused, unreachable, TLS and certificate errors
                        errors.append(f"{address}: {exc}")
                        continue
                    return connection
        except TimeoutError:
            raise httpx.ConnectTimeout(f"{host}: no connection within {patience} s") from None
        message = f"{host}: " + "; ".join(errors)[:300]
        if all(error.endswith(": timed out") for error in errors):
            raise httpx.ConnectTimeout(message)
        raise httpx.ConnectError(message)

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
            self._ssl_context.set_alpn_protocols(["http/1.1"])
        return self._ssl_context

    def _check_out(self, key: OriginKey) -> Http1Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            if not connection.closed and now - connection.idle_since < self._keepalive_expiry:
                connection.reused = True
                return connection
            connection.close()
        return None

    def _check_in(self, key: OriginKey, connection: Http1Connection) -> None:
        if self._closed or self._idle_count >= self._max_idle:
            connection.close()
            return
        connection.idle_since = asyncio.get_running_loop().time()
        self._idle.setdefault(key, []).append(connection)
        self._idle_count += 1

    async def aclose(self) -> None:
        """Close every pooled connection; responses still streaming close when done."""
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        self._idle_count = 0
        await asyncio.sleep(0)  # let the transports run their close callbacks
