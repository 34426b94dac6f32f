"""draft-cavage HTTP Signatures: the `Signature` header most of the Fediverse speaks.

    Signature: keyId="https://host/users/bob#main-key",algorithm="rsa-sha256",
               headers="(request-target) host date digest",signature="base64..."

Outbound we sign exactly as Mastodon does: `rsa-sha256` (`hs2019` for Ed25519
keys), `(request-target) host date digest content-type` on POST and
`(request-target) host date accept` on GET, with the query string in the
request-target.

Inbound checking is split in two so that a request can be refused before any
key is fetched: `check_cavage_request` enforces the policy (required components,
time window, body digest), then `verify_cavage_signature` does the cryptography
with the resolved key. All functions work on plain values: the method, the
request-target (path and query, as received), a headers mapping, the body bytes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

from activitypub.digest import verify_signed_digests
from activitypub.errors import (
    SignatureExpired,
    SignatureIncomplete,
    SignatureInvalid,
    SignatureMalformed,
)
from activitypub.keys import KeyPair, PublicKey, key_type, verify_bytes

__all__ = [
    "DEFAULT_MAX_SKEW",
    "CavageSignature",
    "cavage_signing_string",
    "check_cavage_request",
    "lower_headers",
    "parse_signature_header",
    "sign_cavage",
    "verify_cavage_signature",
]

#: Accepted distance between a signature's Date / (created) and our clock, seconds.
DEFAULT_MAX_SKEW = 3600.0

# Longer than any honest header (an RSA-4096 signature is 684 base64 chars):
# refusing early keeps a hostile header from costing parse time.
_MAX_HEADER = 8192
_PARAM = re.compile(r'[\s,]*([A-Za-z]+)[ \t]*=[ \t]*(?:"([^"]*)"|([^\s,"]*))\s*(?:,|\Z)')
_INTEGER = re.compile(r"\d{1,15}(?:\.\d{1,9})?")
_KNOWN_ALGORITHMS = frozenset({"hs2019", "rsa-sha256", "ed25519"})
_PSEUDO = frozenset({"(request-target)", "(created)", "(expires)"})


@dataclass(frozen=True, slots=True)
class CavageSignature:
    """A parsed `Signature` header. `algorithm` is None when the header omits it."""

    key_id: str
    algorithm: str | None
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lowercased, values stripped: the shape the functions here read.

    Pass an already-lowercased dict to skip this; a case-insensitive mapping
    (httpx, Starlette) joins repeated fields with ", " as draft-cavage expects.
    """
    return {name.lower(): value.strip() for name, value in headers.items()}


def _timestamp(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not _INTEGER.fullmatch(raw):
        raise SignatureMalformed(f"{name} is not a timestamp")
    return int(float(raw))


def parse_signature_header(value: str) -> CavageSignature:
    """Parse a `Signature` header value; raise `SignatureMalformed` on anything odd.

    Parameters may come in any order with spaces around `=` and `,`; unknown
    parameters are ignored, repeated ones refused.
    """
    if len(value) > _MAX_HEADER:
        raise SignatureMalformed("Signature header too long")
    params: dict[str, str] = {}
    pos, end = 0, len(value.rstrip(" \t\r\n,"))
    while pos < end:
        match = _PARAM.match(value, pos)
        if match is None or match.end() == pos:
            raise SignatureMalformed("Signature header does not parse")
        name, quoted, bare = match.groups()
        if name in params:
            raise SignatureMalformed(f"Signature parameter {name} repeated")
        params[name] = quoted if quoted is not None else bare
        pos = match.end()
    key_id, encoded = params.get("keyId"), params.get("signature")
    if not key_id or not encoded:
        raise SignatureMalformed("Signature header lacks keyId or signature")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureMalformed("signature is not base64") from exc
    # The draft's default when `headers` is absent is `date` alone.
    covered = tuple(params.get("headers", "date").lower().split())
    if not covered or not signature:
        raise SignatureMalformed("Signature header covers nothing")
    algorithm = params.get("algorithm")
    return CavageSignature(
        key_id=key_id,
        algorithm=algorithm.lower() if algorithm is not None else None,
        headers=covered,
        signature=signature,
        created=_timestamp("created", params.get("created")),
        expires=_timestamp("expires", params.get("expires")),
    )


def cavage_signing_string(
    covered: Sequence[str],
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """The string that is signed: one `name: value` line per covered component.

    `headers` must have lowercase names (see `lower_headers`); `target` is the
    path with its query string, exactly as sent on the request line.
    """
    lines = []
    for name in covered:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name == "(created)":
            if created is None:
                raise SignatureMalformed("(created) is signed but has no value")
            value = str(created)
        elif name == "(expires)":
            if expires is None:
                raise SignatureMalformed("(expires) is signed but has no value")
            value = str(expires)
        else:
            header = headers.get(name)
            if header is None:
                raise SignatureIncomplete(f"signed header {name} is absent")
            value = header
        if "\n" in value or "\r" in value:
            raise SignatureMalformed(f"{name} holds a line break")
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _default_covered(method: str, headers: Mapping[str, str]) -> tuple[str, ...]:
    if method.upper() == "GET":
        wanted: tuple[str, ...] = ("(request-target)", "host", "date", "accept")
        optional = {"accept"}
    else:
        wanted = ("(request-target)", "host", "date", "digest", "content-type")
        optional = {"content-type"}
    return tuple(n for n in wanted if n in _PSEUDO or n in headers or n not in optional)


def sign_cavage(
    method: str,
    target: str,
    headers: Mapping[str, str],
    key: KeyPair,
    covered: Sequence[str] | None = None,
) -> str:
    """The `Signature` header value for a request, signed the way Mastodon signs.

    `headers` (lowercase names) must already hold the values that will be sent:
    `host`, `date`, and on POST `digest`. `covered` defaults to Mastodon's lists
    (`accept` / `content-type` only when present). RSA keys sign `rsa-sha256`,
    Ed25519 keys `hs2019`.
    """
    names = tuple(covered) if covered is not None else _default_covered(method, headers)
    text = cavage_signing_string(names, method=method, target=target, headers=headers)
    algorithm = "rsa-sha256" if key_type(key.private_key) == "rsa" else "hs2019"
    signature = base64.b64encode(key.sign(text.encode("utf-8"))).decode("ascii")
    return (
        f'keyId="{key.key_id}",algorithm="{algorithm}",'
        f'headers="{" ".join(names)}",signature="{signature}"'
    )


# Within a second every request carries the same Date: caching the parse saves
# a noticeable share of the per-request cost on a busy inbox.
@functools.lru_cache(maxsize=512)
def _http_date(value: str) -> float:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise SignatureMalformed("Date header does not parse") from exc
    if parsed.tzinfo is None:
        # "-0000" means UTC with no claim about local time (RFC 5322).
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def check_cavage_request(
    sig: CavageSignature,
    *,
    method: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> None:
    """Enforce our policy on a parsed signature before any key is fetched.

    Required signed: `(request-target)`, `host`, `date` or `(created)`, and on
    POST `digest` or `content-digest` (each signed digest is checked against
    `body`). Date / (created) must lie within `max_skew` seconds of `now`; an
    `expires` in the past is refused. Raises a `SignatureError` subclass.
    """
    if sig.algorithm is not None and sig.algorithm not in _KNOWN_ALGORITHMS:
        raise SignatureInvalid(f"unsupported algorithm {sig.algorithm}")
    covered = set(sig.headers)
    if ("(created)" in covered or "(expires)" in covered) and sig.algorithm not in (
        None,
        "hs2019",
    ):
        # The draft forbids these pseudo-headers with the legacy algorithms.
        raise SignatureMalformed("(created)/(expires) need algorithm hs2019")
    if "(request-target)" not in covered or "host" not in covered:
        raise SignatureIncomplete("(request-target) and host must be signed")
    if "date" not in covered and "(created)" not in covered:
        raise SignatureIncomplete("date or (created) must be signed")
    if method.upper() == "POST" and "digest" not in covered and "content-digest" not in covered:
        raise SignatureIncomplete("a POST must sign its digest")

    clock = time.time() if now is None else now
    if "date" in covered:
        date = headers.get("date")
        if date is None:
            raise SignatureIncomplete("signed header date is absent")
        if abs(clock - _http_date(date)) > max_skew:
            raise SignatureExpired("Date is outside the accepted window")
    if "(created)" in covered:
        if sig.created is None:
            raise SignatureMalformed("(created) is signed but has no value")
        if abs(clock - sig.created) > max_skew:
            raise SignatureExpired("(created) is outside the accepted window")
    if sig.expires is not None and sig.expires < clock:
        raise SignatureExpired("the signature has expired")

    verify_signed_digests(covered, headers, body)


def verify_cavage_signature(
    sig: CavageSignature,
    key: PublicKey,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    query_quirk: bool = True,
) -> None:
    """Check the signature itself with `key`; raise `SignatureInvalid` if it fails.

    `query_quirk` reproduces Mastodon: when the request-target has a query string
    and the signature does not verify, try once more without the query, since
    some senders sign the path alone. A query string that was signed can still
    not be altered.
    """
    kind = key_type(key)
    if (sig.algorithm == "rsa-sha256" and kind != "rsa") or (
        sig.algorithm == "ed25519" and kind != "ed25519"
    ):
        raise SignatureInvalid(f"algorithm {sig.algorithm} does not fit a {kind} key")

    def verifies(request_target: str) -> bool:
        text = cavage_signing_string(
            sig.headers,
            method=method,
            target=request_target,
            headers=headers,
            created=sig.created,
            expires=sig.expires,
        )
        return verify_bytes(key, sig.signature, text.encode("utf-8"))

    if verifies(target):
        return
    path, question, _ = target.partition("?")
    if query_quirk and question and "(request-target)" in sig.headers and verifies(path):
        return
    raise SignatureInvalid("signature does not verify")
