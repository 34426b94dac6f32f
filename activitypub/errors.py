"""The exceptions of the activitypub library, in one tree.

    ActivityPubError
    ├── InvalidDocument          a document is not the AS2 shape we need (-> 400)
    ├── SignatureError           an inbound request cannot be trusted (-> 401)
    │   ├── SignatureMissing     no Signature / Signature-Input header
    │   ├── SignatureMalformed   the header does not parse
    │   ├── SignatureExpired     outside the time window, or (expires) passed
    │   ├── SignatureIncomplete  a required component is not signed
    │   ├── DigestMismatch       Digest / Content-Digest absent or wrong for the body
    │   ├── KeyUnavailable       the key could not be resolved
    │   └── SignatureInvalid     the cryptographic check failed
    ├── FetchError               an outbound request did not give a usable answer
    │   ├── UnsafeURL            scheme, characters or address refused (SSRF guard)
    │   ├── TooManyRedirects
    │   ├── ResponseTooLarge
    │   ├── BadContentType
    │   ├── OriginMismatch       fetched id differs from the final URL, or owner off-origin
    │   ├── FetchTimeout         connect timeout or total deadline passed
    │   ├── NetworkError         DNS failure, connection refused or reset, broken response
    │   └── HTTPStatusError      the peer answered with a non-success status
    └── WebFingerError           a handle did not resolve

Callers catch the narrowest class they can act on; the web layer maps the
branches to HTTP statuses (InvalidDocument 400, SignatureError 401).
"""

from __future__ import annotations

__all__ = [
    "ActivityPubError",
    "BadContentType",
    "DigestMismatch",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "InvalidDocument",
    "KeyUnavailable",
    "NetworkError",
    "OriginMismatch",
    "ResponseTooLarge",
    "SignatureError",
    "SignatureExpired",
    "SignatureIncomplete",
    "SignatureInvalid",
    "SignatureMalformed",
    "SignatureMissing",
    "TooManyRedirects",
    "UnsafeURL",
    "WebFingerError",
]


class ActivityPubError(Exception):
    """Base of every error raised by this library."""


class InvalidDocument(ActivityPubError):
    """A document lacks a field we need, or has it in an unusable shape."""


class SignatureError(ActivityPubError):
    """An inbound HTTP signature cannot be trusted."""


class SignatureMissing(SignatureError):
    """The request carries no signature."""


class SignatureMalformed(SignatureError):
    """The signature header does not parse."""


class SignatureExpired(SignatureError):
    """The signature is outside the accepted time window."""


class SignatureIncomplete(SignatureError):
    """A component that must be signed is not covered by the signature."""


class DigestMismatch(SignatureError):
    """The body digest is absent, unsupported or does not match the bytes received."""


class KeyUnavailable(SignatureError):
    """The signing key could not be resolved."""


class SignatureInvalid(SignatureError):
    """The cryptographic verification failed."""


class FetchError(ActivityPubError):
    """An outbound request did not produce a usable answer."""


class UnsafeURL(FetchError):
    """The URL is refused: scheme, characters, or an address that is not public."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect loop."""


class ResponseTooLarge(FetchError):
    """The response body exceeded the size cap."""


class BadContentType(FetchError):
    """The response is not an ActivityPub document."""


class OriginMismatch(FetchError):
    """The document's id or owner is not on the origin it was fetched from."""


class FetchTimeout(FetchError):
    """The connection or the whole exchange took longer than allowed."""


class NetworkError(FetchError):
    """The peer could not be reached or broke the exchange off (worth retrying)."""


class HTTPStatusError(FetchError):
    """The peer answered with a status that is not a success."""

    def __init__(self, status_code: int, url: str, retry_after: float | None = None) -> None:
        super().__init__(f"{url} answered {status_code}")
        self.status_code = status_code
        self.url = url
        self.retry_after = retry_after


class WebFingerError(ActivityPubError):
    """A WebFinger handle did not resolve to an actor."""
