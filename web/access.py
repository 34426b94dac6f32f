"""Who is asking, and where they may be sent: `current_user`, `login_required`, `safe_next`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedimob.models import Account
from web.sessions import session_of

Endpoint = Callable[[Request], Awaitable[Response]]


async def current_user(request: Request) -> Account | None:
    """The logged-in account, or None (loads the session if needed)."""
    session = session_of(request)
    await session.load()
    return session.account


def login_required(endpoint: Endpoint) -> Endpoint:
    """Send visitors who are not logged in to /login, and back here afterwards."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if await current_user(request) is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
        return await endpoint(request)

    return guarded


def require_user(request: Request) -> Account:
    """The logged-in account inside a `login_required` endpoint."""
    account = session_of(request).account
    if account is None:
        raise RuntimeError("require_user() outside a login_required endpoint")
    return account


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirect).

    Accepts only a local path: one leading `/`, no `//`, no backslash, no
    encoded slash or backslash, no control characters.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return default
    lowered = target.lower()
    if target.startswith("//") or "\\" in target or "%2f" in lowered or "%5c" in lowered:
        return default
    decoded = unquote(target)
    if decoded.startswith("//") or "\\" in decoded:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return default
    return target
