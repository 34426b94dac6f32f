"""/favicon.ico: the address browsers and feed readers try by themselves, answered.

Pages name their icon (`<link rel="icon">` to /static/favicon.svg, in base.html);
whoever asks the traditional address anyway gets that same drawing rather than
a 404 in the logs. Nothing about the visitor matters here, so this route is
not one of the served pages (no session, no locale, no page cache).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

ICON = Path(__file__).parent / "static" / "favicon.svg"
# A day: the icon rarely changes, and browsers ask for it on every new tab otherwise.
CACHE_CONTROL = "public, max-age=86400"


async def favicon(request: Request) -> Response:
    return FileResponse(ICON, media_type="image/svg+xml", headers={"cache-control": CACHE_CONTROL})


def routes() -> list[BaseRoute]:
    """Mounted beside /static (web/routes.py), outside the served pages."""
    return [Route("/favicon.ico", favicon, name="favicon")]
