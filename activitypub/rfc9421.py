"""HTTP Message Signatures (RFC 9421): the successor of draft-cavage.

    Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=1703066400;keyid="https://host/users/bob#main-key"
    Signature: sig1=:base64...:

Inbound: `parse_rfc9421_headers` reads the two structured-field headers,
`check_rfc9421_request` enforces our policy before any key is fetched (method,
target and, on POST, the body digest signed; `created` within the window;
`expires` not passed), and `verify_rfc9421_signature` rebuilds the signature
base and checks it with the resolved key. Outbound, `sign_rfc9421` produces the
two header values, covering `@method @target-uri` and on POST `content-digest`,
with `created` and `keyid`, one signature labelled `sig1`: exactly what Mastodon
requires since it accepts RFC 9421 (mastodon/mastodon#34814: a single signature,
`created` mandatory, `@method` and `@target-uri` signed, `Content-Digest` for
the body, `rsa-v1_5-sha256` only).

Algorithms: `rsa-v1_5-sha256`, `ed25519`, and `rsa-pss-sha512` for verifying.
When `alg` is absent the key type decides (RSA -> rsa-v1_5-sha256). Component
parameters (`;sf`, `;key`, `;bs`, `;req`) are refused rather than half-supported.
The structured-field grammar (RFC 8941) lives in `activitypub.structured_fields`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from activitypub.digest import verify_signed_digests
from activitypub.errors import (
    SignatureExpired,
    SignatureIncomplete,
    SignatureInvalid,
    SignatureMalformed,
)
from activitypub.keys import KeyPair, PublicKey, key_type, verify_bytes
from activitypub.structured_fields import (
    BareItem,
    StructuredFieldError,
    parse_dictionary,
    serialize_inner_list,
)

__all__ = [
    "Rfc9421Signature",
    "check_rfc9421_request",
    "parse_rfc9421_headers",
    "rfc9421_signature_base",
    "sign_rfc9421",
    "verify_rfc9421_signature",
]

_DEFAULT_MAX_SKEW = 3600.0
_MAX_HEADER = 8192
_ALGORITHMS = {"rsa-v1_5-sha256": "rsa", "rsa-pss-sha512": "rsa", "ed25519": "ed25519"}


@dataclass(frozen=True, slots=True)
class Rfc9421Signature:
    """One signature from `Signature-Input` + `Signature`, chosen by its label."""

    label: str
    components: tuple[str, ...]
    params: tuple[tuple[str, BareItem], ...]
    signature: bytes
    key_id: str
    alg: str | None
    created: int | None
    expires: int | None

    @property
    def params_value(self) -> str:
        """The serialized `@signature-params` value that closes the signature base."""
        return serialize_inner_list(self.components, self.params)


def _int_param(params: Mapping[str, BareItem], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SignatureMalformed(f"{name} must be an integer")
    return value


def parse_rfc9421_headers(
    signature_input: str, signature: str, label: str | None = None
) -> Rfc9421Signature:
    """Read the signature labelled `label` (default: the first one present in both).

    Raises `SignatureMalformed` when either header does not parse or lacks `keyid`.
    """
    if len(signature_input) > _MAX_HEADER or len(signature) > _MAX_HEADER:
        raise SignatureMalformed("signature headers too long")
    try:
        inputs = parse_dictionary(signature_input)
        values = parse_dictionary(signature)
    except StructuredFieldError as exc:
        raise SignatureMalformed(f"signature headers do not parse: {exc}") from exc
    labels = [name for name in inputs if name in values] if label is None else [label]
    if not labels or labels[0] not in inputs or labels[0] not in values:
        raise SignatureMalformed("no signature label present in both headers")
    chosen = labels[0]
    members, params = inputs[chosen]
    raw, _ = values[chosen]
    if not isinstance(members, list) or not isinstance(raw, bytes) or not raw:
        raise SignatureMalformed("Signature-Input needs an inner list, Signature bytes")
    components = []
    for item, item_params in members:
        if type(item) is not str or item_params:
            raise SignatureMalformed("components must be plain strings (no parameters)")
        if item != item.lower() or item in components:
            raise SignatureMalformed(f"component {item!r} is not lowercase or repeated")
        components.append(item)
    param_map = dict(params)
    key_id, alg = param_map.get("keyid"), param_map.get("alg")
    if type(key_id) is not str or not key_id:
        raise SignatureMalformed("keyid must be a non-empty string")
    if alg is not None and (type(alg) is not str or alg not in _ALGORITHMS):
        raise SignatureMalformed(f"unsupported alg {alg!r}")
    return Rfc9421Signature(
        label=chosen,
        components=tuple(components),
        params=tuple(params),
        signature=raw,
        key_id=key_id,
        alg=alg,
        created=_int_param(param_map, "created"),
        expires=_int_param(param_map, "expires"),
    )


def _component(
    name: str, *, method: str, target: str, headers: Mapping[str, str], scheme: str
) -> str:
    path, question, query = target.partition("?")
    if name == "@method":
        return method
    if name in ("@authority", "@target-uri"):
        host = headers.get("host")
        if host is None:
            raise SignatureIncomplete("no host to derive @authority from")
        authority = host.lower()
        return authority if name == "@authority" else f"{scheme.lower()}://{authority}{target}"
    if name == "@scheme":
        return scheme.lower()
    if name == "@request-target":
        return target
    if name == "@path":
        return path or "/"
    if name == "@query":
        return "?" + query if question else "?"
    if name.startswith("@"):
        raise SignatureMalformed(f"unsupported derived component {name}")
    value = headers.get(name)
    if value is None:
        raise SignatureIncomplete(f"signed header {name} is absent")
    return value


def rfc9421_signature_base(
    components: Sequence[str],
    params_value: str,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    scheme: str = "https",
) -> str:
    """The signature base (RFC 9421 section 2.5) for a request.

    `headers` must have lowercase names; `target` is path and query as sent.
    """
    lines = []
    for name in components:
        value = _component(name, method=method, target=target, headers=headers, scheme=scheme)
        if "\n" in value or "\r" in value:
            raise SignatureMalformed(f"{name} holds a line break")
        lines.append(f'"{name}": {value}')
    lines.append(f'"@signature-params": {params_value}')
    return "\n".join(lines)


def check_rfc9421_request(
    sig: Rfc9421Signature,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    max_skew: float = _DEFAULT_MAX_SKEW,
) -> None:
    """Enforce our policy before any key is fetched; raise a `SignatureError`.

    Required signed: `@method`; the target (`@target-uri`, or `@authority`/`host`
    with `@request-target` or `@path` plus `@query` when there is one); `created`
    (or a signed `date`); on POST `content-digest` (or `digest`), checked
    against `body`.
    """
    covered = set(sig.components)
    has_authority = "@authority" in covered or "host" in covered
    has_query = "?" in target
    names_target = "@target-uri" in covered or (
        has_authority
        and (
            "@request-target" in covered
            or ("@path" in covered and ("@query" in covered or not has_query))
        )
    )
    if "@method" not in covered or not names_target:
        raise SignatureIncomplete("@method and the full target must be signed")
    if sig.created is None and "date" not in covered:
        raise SignatureIncomplete("created (or date) must be signed")
    if method.upper() == "POST" and not covered & {"content-digest", "digest"}:
        raise SignatureIncomplete("a POST must sign content-digest")

    clock = time.time() if now is None else now
    if sig.created is not None and abs(clock - sig.created) > max_skew:
        raise SignatureExpired("created is outside the accepted window")
    if sig.expires is not None and sig.expires < clock:
        raise SignatureExpired("the signature has expired")

    verify_signed_digests(covered, headers, body)


def verify_rfc9421_signature(
    sig: Rfc9421Signature,
    key: PublicKey,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    scheme: str = "https",
) -> None:
    """Check the signature with `key`; raise `SignatureInvalid` if it fails.

    `scheme` is how the request reached us (behind a TLS-terminating proxy it is
    still `https`); it matters for `@target-uri` and `@scheme`.
    """
    kind = key_type(key)
    alg = sig.alg or ("rsa-v1_5-sha256" if kind == "rsa" else "ed25519")
    if _ALGORITHMS[alg] != kind:
        raise SignatureInvalid(f"alg {alg} does not fit a {kind} key")
    base = rfc9421_signature_base(
        sig.components,
        sig.params_value,
        method=method,
        target=target,
        headers=headers,
        scheme=scheme,
    ).encode("utf-8")
    if alg == "rsa-pss-sha512" and isinstance(key, rsa.RSAPublicKey):
        try:
            key.verify(sig.signature, base, _PSS_SHA512, hashes.SHA512())
        except InvalidSignature:
            raise SignatureInvalid("signature does not verify") from None
        return
    if not verify_bytes(key, sig.signature, base):
        raise SignatureInvalid("signature does not verify")


_PSS_SHA512 = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)


def _default_components(method: str, headers: Mapping[str, str]) -> tuple[str, ...]:
    if "content-digest" in headers:
        return ("@method", "@target-uri", "content-digest")
    return ("@method", "@target-uri")


def sign_rfc9421(
    method: str,
    target: str,
    headers: Mapping[str, str],
    key: KeyPair,
    *,
    components: Sequence[str] | None = None,
    created: int | None = None,
    expires: int | None = None,
    nonce: str | None = None,
    include_alg: bool = False,
    label: str = "sig1",
    scheme: str = "https",
) -> tuple[str, str]:
    """The `(Signature-Input, Signature)` header values for a request.

    `headers` (lowercase names) must hold what will be sent: `host`, and
    `content-digest` when there is a body. `components` defaults to
    `@method @target-uri` plus `content-digest` when present. `alg` is left out
    unless `include_alg` (the key type implies it, and several verifiers are
    stricter about an `alg` than about its absence).
    """
    names = tuple(components) if components is not None else _default_components(method, headers)
    params: list[tuple[str, BareItem]] = [
        ("created", int(time.time()) if created is None else created)
    ]
    if expires is not None:
        params.append(("expires", expires))
    if nonce is not None:
        params.append(("nonce", nonce))
    params.append(("keyid", key.key_id))
    if include_alg:
        rsa_key = key_type(key.private_key) == "rsa"
        params.append(("alg", "rsa-v1_5-sha256" if rsa_key else "ed25519"))
    params_value = serialize_inner_list(names, params)
    base = rfc9421_signature_base(
        names, params_value, method=method, target=target, headers=headers, scheme=scheme
    )
    signature = base64.b64encode(key.sign(base.encode("utf-8"))).decode("ascii")
    return f"{label}={params_value}", f"{label}=:{signature}:"
