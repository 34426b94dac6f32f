"""Authorized fetch: when on, objects and collections are served only to signed GETs.

Like Mastodon's secure mode: actor documents, WebFinger and NodeInfo stay
public (a server must be able to fetch our key to verify anything we sign),
everything else asks the requester to sign its GET, so a blocked server
cannot read our objects by fetching them unsigned.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from activitypub.errors import SignatureError
from activitypub.verify import verify_request
from fedimob.federation.context import Federation
from fedimob.federation.hosts import host_of, is_blocked
from fedimob.federation.keys import StoredKeyResolver
from fedimob.federation.negotiation import ActivityJSONResponse


async def refuse_unsigned(request: Request) -> Response | None:
    """None when the request may be served; otherwise the 401/403 to answer."""
    federation: Federation = request.app.state.federation
    if not federation.settings.authorized_fetch:
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        verified = await verify_request(
            method="GET",
            target=target,
            headers=dict(request.headers),
            body=b"",
            resolver=StoredKeyResolver(federation, request.app.state.key_guard),
            expected_host=federation.settings.domain,
            url_scheme=request.url.scheme,
        )
    except SignatureError:
        return ActivityJSONResponse({"error": "this server requires signed requests"}, 401)
    if await is_blocked(host_of(verified.owner)):
        return ActivityJSONResponse({"error": "forbidden"}, 403)
    return None
