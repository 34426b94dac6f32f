"""Body digests: draft-cavage `Digest` (RFC 3230) and RFC 9530 `Content-Digest`.

A signature covers the digest header, not the body, so the digest is what binds
the signature to the bytes: it must be recomputed over the exact bytes received
(before any JSON parsing) and compared in constant time.

    Digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=
    Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:

Algorithms other than SHA-256 and SHA-512 are ignored; a header that names none
of them is refused, as is one where any supported entry does not match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Collection, Mapping

from activitypub.errors import DigestMismatch

__all__ = [
    "content_digest_header",
    "digest_header",
    "verify_content_digest",
    "verify_digest",
    "verify_signed_digests",
]

_HASHES: dict[str, Callable[[bytes], bytes]] = {
    "sha-256": lambda data: hashlib.sha256(data).digest(),
    "sha-512": lambda data: hashlib.sha512(data).digest(),
}

# A digest header is a handful of short entries; anything bigger is hostile.
_MAX_HEADER = 2048


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def digest_header(body: bytes, algorithm: str = "sha-256") -> str:
    """The `Digest` header value for `body`, e.g. `SHA-256=...` (as Mastodon sends it)."""
    name = algorithm.lower()
    return f"{name.upper()}={_b64(_HASHES[name](body))}"


def content_digest_header(body: bytes, algorithm: str = "sha-256") -> str:
    """The RFC 9530 `Content-Digest` value for `body`, e.g. `sha-256=:...:`."""
    name = algorithm.lower()
    return f"{name}=:{_b64(_HASHES[name](body))}:"


def _check(entries: list[tuple[str, str]], body: bytes, header: str) -> None:
    checked = False
    for name, encoded in entries:
        hasher = _HASHES.get(name.strip().lower())
        if hasher is None:
            continue
        try:
            claimed = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DigestMismatch(f"{header}: {name} is not base64") from exc
        if not hmac.compare_digest(claimed, hasher(body)):
            raise DigestMismatch(f"{header} does not match the body")
        checked = True
    if not checked:
        raise DigestMismatch(f"{header} names no supported algorithm (sha-256, sha-512)")


def _split(value: str, header: str) -> list[str]:
    if len(value) > _MAX_HEADER:
        raise DigestMismatch(f"{header} header too long")
    return [part for part in value.split(",") if part.strip()]


def verify_digest(value: str, body: bytes) -> None:
    """Check a `Digest` header against `body`; raise `DigestMismatch` if it fails.

    Tolerates several comma-separated entries and any case in algorithm names.
    """
    entries = []
    for part in _split(value, "Digest"):
        name, sep, encoded = part.partition("=")
        if not sep:
            raise DigestMismatch("Digest entry without '='")
        entries.append((name, encoded))
    _check(entries, body, "Digest")


def verify_content_digest(value: str, body: bytes) -> None:
    """Check an RFC 9530 `Content-Digest` header against `body`.

    The value is a structured-field dictionary of byte sequences
    (`sha-256=:<base64>:`); raises `DigestMismatch` when it fails.
    """
    entries = []
    for part in _split(value, "Content-Digest"):
        name, sep, item = part.strip().partition("=")
        # Parameters after the byte sequence (";foo") carry nothing we need.
        item = item.split(";", 1)[0].strip()
        if not sep or len(item) < 2 or item[0] != ":" or item[-1] != ":":
            raise DigestMismatch("Content-Digest entry is not a byte sequence")
        entries.append((name, item[1:-1]))
    _check(entries, body, "Content-Digest")


def verify_signed_digests(
    covered: Collection[str], headers: Mapping[str, str], body: bytes
) -> None:
    """Check every body digest a signature covers (`digest`, `content-digest`).

    `headers` has lower-case names. A covered header missing from the request,
    or a digest that does not match the bytes received, is DigestMismatch.
    """
    for name, check in (("content-digest", verify_content_digest), ("digest", verify_digest)):
        if name in covered:
            value = headers.get(name)
            if value is None:
                raise DigestMismatch(f"signed header {name} is absent")
            check(value, body)
