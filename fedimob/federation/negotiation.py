"""Content negotiation: the same URL serves AS2 to Fediverse servers and HTML to browsers."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

AS2_MEDIA_TYPE = "application/activity+json"
_AS2_ACCEPTS = ("application/activity+json", "application/ld+json", "application/json")


def wants_activity_json(accept: str) -> bool:
    """True when the client asks for ActivityStreams rather than a page.

    Browsers always list text/html; Mastodon and others ask for
    `application/activity+json` or `application/ld+json; profile=...`.
    """
    value = accept.lower()
    return "text/html" not in value and any(kind in value for kind in _AS2_ACCEPTS)


def _accept_header(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return bytes(value).decode("latin-1")
    return ""


class ActivityPubRoute(Route):
    """A route that only matches requests asking for ActivityStreams JSON.

    Placed before the HTML route of the same path, it lets both live on one URL.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not wants_activity_json(_accept_header(scope)):
            return Match.NONE, {}
        return super().matches(scope)


class ActivityJSONResponse(Response):
    media_type = AS2_MEDIA_TYPE

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(content, status_code=status_code, headers={"vary": "Accept"})

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
