"""Cross-site request forgery: a per-session token in every form, and an Origin check.

Both must pass on every state-changing request to a web route (the federation
routes are not web routes and are never checked here):

- the request comes from our own pages: its `Origin` (or, when a browser sends
  none, its `Referer`) is the instance's URL;
- the form's `csrf_token` field equals the session's token (constant-time).

Templates put the field in a form with `{{ csrf_field() }}`.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.requests import Request

from web.sessions import SessionHandle, current_session

FIELD = "csrf_token"


def _origin(url: str) -> str:
    """The origin of a URL; "" for one that cannot be parsed (it then matches nothing)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[" and other broken hosts
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, instance_url: str) -> bool:
    """True when the browser says the request comes from one of our pages."""
    expected = _origin(instance_url)
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == expected
    referer = request.headers.get("referer")
    # No Origin and no Referer: we cannot tell, so refuse (our Referrer-Policy
    # is same-origin, so our own pages always send one of them).
    return referer is not None and bool(expected) and _origin(referer) == expected


def valid_token(session: SessionHandle, submitted: object) -> bool:
    if not session.exists or not session.csrf_token or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(submitted.encode(), session.csrf_token.encode())


def csrf_token() -> str:
    """The current session's token; makes an (anonymous) session if there is none."""
    session = current_session()
    if session is None:
        raise RuntimeError("csrf_token() used outside a web request")
    session.ensure()
    return session.csrf_token


def csrf_field() -> Markup:
    """The hidden form field every POST form of the site carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token()))
