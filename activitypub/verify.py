"""Inbound signature verification: from plain request values to a verified signer.

    verified = await verify_request(
        method="POST", target="/inbox", headers=request_headers, body=raw_bytes,
        resolver=app_key_resolver, expected_host="fedimob.example",
    )
    # then: the activity's actor must equal verified.owner

The pipeline detects the scheme (RFC 9421 when `Signature-Input` is present,
else draft-cavage `Signature`, or `Authorization: Signature ...`), refuses a
request on policy (missing components, time window, body digest, wrong host)
*before* asking for a key, then resolves the key through the application's
`KeyResolver` port and checks the signature. A signature that fails with a
cached key is retried once with a refreshed key, since the actor may have
rotated it; a flood of bad signatures therefore costs at most one refresh each,
which the resolver is expected to bound (negative cache, per-source breaker).

Every refusal is a `SignatureError` subclass (the web layer answers 401).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from activitypub.cavage import (
    DEFAULT_MAX_SKEW,
    check_cavage_request,
    lower_headers,
    parse_signature_header,
    verify_cavage_signature,
)
from activitypub.errors import KeyUnavailable, SignatureInvalid, SignatureMissing
from activitypub.keys import PublicKey, key_type
from activitypub.rfc9421 import (
    check_rfc9421_request,
    parse_rfc9421_headers,
    verify_rfc9421_signature,
)

__all__ = [
    "KeyResolver",
    "ResolvedKey",
    "SignatureScheme",
    "VerifiedSignature",
    "verify_request",
]


class SignatureScheme(StrEnum):
    """The two HTTP signature dialects of the Fediverse."""

    CAVAGE = "draft-cavage"
    RFC9421 = "rfc9421"


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """What the application knows about a key id.

    `owner` is the actor id the key belongs to, after the application checked
    that the key document's `id` equals the key id and that the owner's actor
    document lists the key. `fresh` says the key was fetched just now, so a
    refresh would not give anything newer.
    """

    public_key: PublicKey
    owner: str
    fresh: bool = False


class KeyResolver(Protocol):
    """The port through which the pipeline gets keys; the application implements it.

    `resolve` returns the key (from cache unless `refresh`), or raises
    `KeyUnavailable` when it cannot (unreachable, gone, negative-cached, breaker
    open). It must not raise anything else for a remote party's failure.
    """

    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        """The key and its owner for `key_id`."""
        ...


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """A request whose signature checked out, and who signed it."""

    key_id: str
    owner: str
    algorithm: str
    scheme: SignatureScheme


async def verify_request(
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    resolver: KeyResolver,
    now: float | None = None,
    max_skew: float = DEFAULT_MAX_SKEW,
    expected_host: str | None = None,
    url_scheme: str = "https",
    query_quirk: bool = True,
) -> VerifiedSignature:
    """Verify an inbound request's HTTP signature; raise a `SignatureError` if not.

    `target` is the request-target as received (path and query), `headers` any
    mapping (names in any case; for HTTP/2 put `:authority` in `host`), `body`
    the exact bytes received. `now` is a Unix time (default: the clock);
    `expected_host`, when given, must equal the signed `Host` so a signature
    made for another server cannot be replayed here. `url_scheme` is how
    clients reach us (for RFC 9421 `@target-uri`). `query_quirk`: see
    `verify_cavage_signature`.
    """
    lowered = lower_headers(headers)
    authorization = lowered.get("authorization", "")
    cavage_value = lowered.get("signature")
    if cavage_value is None and authorization[:10].lower() == "signature ":
        cavage_value = authorization[10:]
    if cavage_value is None:
        # Checked first so that an unsigned request is always SignatureMissing,
        # which an application may accept for public GETs.
        raise SignatureMissing("the request is not signed")
    if expected_host is not None and lowered.get("host", "").lower() != expected_host.lower():
        raise SignatureInvalid("the request is addressed to another host")

    if "signature-input" in lowered:
        if "signature" not in lowered:
            raise SignatureMissing("Signature-Input without Signature")
        sig9421 = parse_rfc9421_headers(lowered["signature-input"], lowered["signature"])
        check_rfc9421_request(
            sig9421,
            method=method,
            target=target,
            headers=lowered,
            body=body,
            now=now,
            max_skew=max_skew,
        )

        def check(key: PublicKey) -> str:
            verify_rfc9421_signature(
                sig9421, key, method=method, target=target, headers=lowered, scheme=url_scheme
            )
            return sig9421.alg or ("rsa-v1_5-sha256" if key_type(key) == "rsa" else "ed25519")

        return await _with_key(sig9421.key_id, SignatureScheme.RFC9421, resolver, check)

    sig = parse_signature_header(cavage_value)
    check_cavage_request(sig, method=method, headers=lowered, body=body, now=now, max_skew=max_skew)

    def check_cavage(key: PublicKey) -> str:
        verify_cavage_signature(
            sig, key, method=method, target=target, headers=lowered, query_quirk=query_quirk
        )
        return sig.algorithm or "hs2019"

    return await _with_key(sig.key_id, SignatureScheme.CAVAGE, resolver, check_cavage)


class _Check(Protocol):
    def __call__(self, key: PublicKey, /) -> str: ...


async def _with_key(
    key_id: str, scheme: SignatureScheme, resolver: KeyResolver, check: _Check
) -> VerifiedSignature:
    resolved = await resolver.resolve(key_id, refresh=False)
    try:
        algorithm = check(resolved.public_key)
    except SignatureInvalid:
        if resolved.fresh:
            raise
        # The actor may have rotated its key since we cached it: ask once more.
        resolved = await resolver.resolve(key_id, refresh=True)
        algorithm = check(resolved.public_key)
    if not resolved.owner:
        raise KeyUnavailable("the key has no owner")
    return VerifiedSignature(
        key_id=key_id, owner=resolved.owner, algorithm=algorithm, scheme=scheme
    )
