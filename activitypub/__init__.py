"""ActivityPub for Python: vocabulary, keys, HTTP signatures, safe fetching, discovery.

A standalone library: it imports the standard library, httpx and cryptography,
never the application that uses it. The application plugs in through small
`typing.Protocol` ports (key resolution, storage).
"""

from activitypub.errors import (
    ActivityPubError,
    BadContentType,
    DigestMismatch,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidDocument,
    KeyUnavailable,
    OriginMismatch,
    ResponseTooLarge,
    SignatureError,
    SignatureExpired,
    SignatureIncomplete,
    SignatureInvalid,
    SignatureMalformed,
    SignatureMissing,
    TooManyRedirects,
    UnsafeURL,
    WebFingerError,
)

__all__ = [
    "ActivityPubError",
    "BadContentType",
    "DigestMismatch",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "InvalidDocument",
    "KeyUnavailable",
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
