"""Outbound signing as an `httpx.Auth`: every request we send to a peer is signed.

    auth = HttpSignatureAuth(key_pair, scheme=remembered.get(host, SignatureScheme.CAVAGE))
    response = await client.post(inbox, content=body, auth=auth)
    remembered[host] = auth.accepted_scheme or remembered.get(host)

Which scheme to send (the "double-knock" policy):
- draft-cavage by default: every Fediverse server of note verifies it;
- RFC 9421 when the application knows the peer accepts it (it remembered a
  success, or the peer signs with it);
- on a 401, sign once more with the other scheme and resend. Whichever got a
  non-401 answer is exposed as `accepted_scheme` (also in
  `response.request.extensions["http_signature_scheme"]`) so the application can
  remember it per host. A second 401 is returned as is.

The auth sets what the signature covers when the request lacks it: `Host`,
`Date`, and for a body `Digest` (cavage) or `Content-Digest` (RFC 9421). Create
one auth object per request (it is cheap) so that `accepted_scheme` belongs to
that request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from email.utils import formatdate

import httpx

from activitypub.cavage import lower_headers, sign_cavage
from activitypub.digest import content_digest_header, digest_header
from activitypub.keys import KeyPair
from activitypub.rfc9421 import sign_rfc9421
from activitypub.verify import SignatureScheme

__all__ = ["SCHEME_EXTENSION", "HttpSignatureAuth", "sign_request"]

#: Key of `request.extensions` holding the `SignatureScheme` a request was signed with.
SCHEME_EXTENSION = "http_signature_scheme"

_SIGNATURE_HEADERS = ("signature", "signature-input", "digest", "content-digest")


def sign_request(
    request: httpx.Request,
    key: KeyPair,
    scheme: SignatureScheme = SignatureScheme.CAVAGE,
    *,
    now: float | None = None,
) -> None:
    """Sign `request` in place with `scheme` (replacing any earlier signature)."""
    for name in _SIGNATURE_HEADERS:
        request.headers.pop(name, None)
    if "host" not in request.headers:
        request.headers["Host"] = request.url.netloc.decode("ascii")
    clock = time.time() if now is None else now
    if "date" not in request.headers:
        request.headers["Date"] = formatdate(clock, usegmt=True)
    body = request.content
    has_body = bool(body) or request.method.upper() in ("POST", "PUT", "PATCH")
    target = request.url.raw_path.decode("ascii")
    if scheme is SignatureScheme.CAVAGE:
        if has_body:
            request.headers["Digest"] = digest_header(body)
        signature = sign_cavage(request.method, target, lower_headers(request.headers), key)
        request.headers["Signature"] = signature
    else:
        if has_body:
            request.headers["Content-Digest"] = content_digest_header(body)
        signature_input, signature = sign_rfc9421(
            request.method,
            target,
            lower_headers(request.headers),
            key,
            created=int(clock),
            scheme=request.url.scheme,
        )
        request.headers["Signature-Input"] = signature_input
        request.headers["Signature"] = signature
    request.extensions = {**request.extensions, SCHEME_EXTENSION: scheme}


class HttpSignatureAuth(httpx.Auth):
    """Sign each request with `key`; on a 401, retry once with the other scheme.

    `scheme` is the first scheme tried; `double_knock=False` disables the retry.
    After the exchange, `accepted_scheme` is the scheme that was not refused
    with 401, or None if both were (or nothing was sent yet).
    """

    requires_request_body = True

    def __init__(
        self,
        key: KeyPair,
        *,
        scheme: SignatureScheme = SignatureScheme.CAVAGE,
        double_knock: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self.scheme = scheme
        self.double_knock = double_knock
        self.clock = clock
        self.accepted_scheme: SignatureScheme | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign, send, and on 401 re-sign with the other scheme and send again."""
        self.accepted_scheme = None
        sign_request(request, self.key, self.scheme, now=self.clock())
        response = yield request
        if response.status_code != 401:
            self.accepted_scheme = self.scheme
            return
        if not self.double_knock:
            return
        other = (
            SignatureScheme.RFC9421
            if self.scheme is SignatureScheme.CAVAGE
            else SignatureScheme.CAVAGE
        )
        sign_request(request, self.key, other, now=self.clock())
        response = yield request
        if response.status_code != 401:
            self.accepted_scheme = other
