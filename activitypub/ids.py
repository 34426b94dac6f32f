"""Object ids and origins: which strings are acceptable ids, and who owns them.

Most impersonation bugs in the Fediverse compared ids as strings
(`id.startswith(actor_host)` accepts `https://example.com.evil.net/`). Here an
id is parsed once, and ownership is decided on its *origin*: the scheme, the
case-folded IDNA host and the effective port (FEP-fe34). Never compare ids by
prefix; use `same_origin`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

import idna

from activitypub.errors import InvalidDocument

__all__ = [
    "MAX_ID_LENGTH",
    "Origin",
    "check_id",
    "is_valid_id",
    "normalize_host",
    "origin_of",
    "same_origin",
    "strip_fragment",
]

#: Longest id accepted; Mastodon caps URLs at 2,048 characters too.
MAX_ID_LENGTH = 2048

_DEFAULT_PORTS = {"http": 80, "https": 443}
# LDH labels, plus "_" which real development hosts (container names) use.
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class Origin(NamedTuple):
    """The security principal an id belongs to: (scheme, host, effective port)."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if _DEFAULT_PORTS.get(self.scheme) == self.port:
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


def _has_unsafe_chars(value: str) -> bool:
    # Control, format (bidi overrides, zero-width) and separator characters
    # make two ids look alike or split headers; a backslash is read as "/" by
    # WHATWG parsers but not by urllib, so the two would disagree on the host.
    return any(ch == "\\" or ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in value)


def normalize_host(host: str) -> str:
    """Return `host` case-folded and IDNA-encoded (A-labels), IPs in canonical form.

    A single trailing dot is dropped (it names the same host). Raises
    InvalidDocument for anything that is not a plausible DNS name or IP literal.
    """
    if not host or len(host) > 253 or _has_unsafe_chars(host):
        raise InvalidDocument("invalid host")
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        pass
    if candidate.endswith("."):
        candidate = candidate[:-1]
    if not candidate.isascii():
        try:
            candidate = idna.encode(candidate, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise InvalidDocument("invalid internationalised host") from exc
    candidate = candidate.lower()
    labels = candidate.split(".")
    if not all(_LABEL.match(label) for label in labels) or len(candidate) > 253:
        raise InvalidDocument("invalid host")
    # A dotted name whose labels are all digits is an IPv4 spelling
    # ip_address() refused ("1.2.3", "0x7f.1"); resolvers would still accept it.
    if labels[-1].isdigit():
        raise InvalidDocument("numeric host that is not an IP address")
    return candidate


def origin_of(url: str, *, require_https: bool = False) -> Origin:
    """Parse an absolute http(s) id and return its origin.

    Raises InvalidDocument when `url` is not an acceptable id (see `check_id`).
    """
    if not isinstance(url, str) or not 0 < len(url) <= MAX_ID_LENGTH:
        raise InvalidDocument("id is not a string of acceptable length")
    if _has_unsafe_chars(url):
        raise InvalidDocument("id contains control, space or backslash characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidDocument("id does not parse as a URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or (require_https and scheme != "https"):
        raise InvalidDocument("id is not an http(s) URL")
    if "@" in parts.netloc:
        # userinfo lets "https://good.example@evil.example/" read as good.example.
        raise InvalidDocument("id carries userinfo")
    if parts.hostname is None or port == 0:
        raise InvalidDocument("id has no usable host or port")
    if url.endswith("#"):
        # "x#" and "x" would be two ids for one document. A "#" inside the
        # fragment is tolerated: WordPress sends "...#activity#activity".
        raise InvalidDocument("id has an empty fragment")
    host = normalize_host(parts.hostname)
    return Origin(scheme, host, port if port is not None else _DEFAULT_PORTS[scheme])


def check_id(value: object, *, require_https: bool = False) -> str:
    """Return `value` unchanged if it is an acceptable object id, else raise InvalidDocument.

    Acceptable: a string of at most MAX_ID_LENGTH characters, an absolute
    http(s) URL with a valid host, no userinfo, no control/space/backslash
    characters, and no empty fragment (`#main-key` is common).
    """
    if not isinstance(value, str):
        raise InvalidDocument("id is not a string")
    origin_of(value, require_https=require_https)
    return value


def is_valid_id(value: object, *, require_https: bool = False) -> bool:
    """True if `value` is an acceptable object id (see `check_id`)."""
    try:
        check_id(value, require_https=require_https)
    except InvalidDocument:
        return False
    return True


def same_origin(a: str, b: str) -> bool:
    """True if both are valid ids with the same origin; False otherwise, never raises."""
    try:
        return origin_of(a) == origin_of(b)
    except InvalidDocument:
        return False


def strip_fragment(url: str) -> str:
    """The document URL of an id: `https://a.example/u/x#main-key` -> `.../u/x`.

    Raises InvalidDocument if `url` is not a valid id.
    """
    check_id(url)
    return urlunsplit(urlsplit(url)._replace(fragment=""))
