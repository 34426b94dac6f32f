"""Admins only: visitors go to the login page, everyone else gets 403."""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedimob.models import Account
from web import i18n
from web.access import Endpoint, login_required, require_user
from web.endpoints import refuse
from web.sessions import session_of


def admin_required(endpoint: Endpoint) -> Endpoint:
    @login_required
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if not require_user(request).is_admin:
            return await refuse(
                request,
                403,
                i18n.gettext("Admins only"),
                i18n.gettext("This page is for the admins of this instance."),
            )
        return await endpoint(request)

    return guarded


def require_admin(request: Request) -> Account:
    """The admin asking, inside an `admin_required` endpoint."""
    return require_user(request)


def done(request: Request, message: str, to: str, category: str = "success") -> Response:
    """After a change: a message for the next page, and back to `to` (POST, redirect, GET)."""
    session_of(request).flash(message, category)
    return RedirectResponse(to, status_code=303)
