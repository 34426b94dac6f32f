"""Forgotten passwords: ask for a link by e-mail, then choose a new password.

- `/password/forgot` takes an address and always answers the same page,
  whether an account has it or not (no account enumeration): the domain
  queues a mail job or nothing, and the same page follows. Every request
  counts against a per-(client, address) and a per-client throttle.
- `/password/reset/{token}` is the link from the mail. It checks the token,
  keeps it in the session and sends the browser on to `/password/reset`, so
  no page has the token in its address (nothing to leak through a Referer,
  the history or a shoulder). That redirect is served with `Referrer-Policy:
  no-referrer`; a page cannot be: with that policy browsers send `Origin:
  null` with every form's POST, which the CSRF check (rightly) refuses.
- `/password/reset` shows the form and sets the password: every session of
  the account ends, this browser is logged in with a fresh one, and a mail
  tells the person their password changed.

A bad, expired or used link leads to a page saying so (400), never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.accounts import normalise_email, record_login
from fedimob.domain.password_reset import (
    MAX_TOKEN_LENGTH,
    account_for_token,
    request_password_reset,
    reset_password,
)
from fedimob.errors import NotFound, ValidationError
from fedimob.models import Account
from web import i18n
from web.forms import field, form_error_message
from web.sessions import session_of
from web.templating import render
from web.throttle import FailureThrottle, client_ip

SESSION_KEY = "password_reset_token"  # the session key's name, not a token
PRIVATE = {"cache-control": "no-store"}
NO_REFERRER = {**PRIVATE, "referrer-policy": "no-referrer"}


class ResetThrottles:
    """Requests for a link (every one counts, sent or not), per address and per IP."""

    def __init__(self) -> None:
        self.ip = FailureThrottle(limit=20, window=60 * 60)
        self.address = FailureThrottle(limit=5, window=60 * 60)


def reset_throttles(request: Request) -> ResetThrottles:
    found: ResetThrottles | None = getattr(request.app.state, "password_reset_throttles", None)
    if found is None:
        found = ResetThrottles()
        request.app.state.password_reset_throttles = found
    return found


async def _page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] = PRIVATE,
) -> Response:
    response = await render(request, name, context, status_code=status_code)
    response.headers.update(headers)
    return response


async def _forgot_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    context = {"values": values, "errors": errors}
    return await _page(request, "password/forgot.html", context, status_code=status_code)


async def forgot(request: Request) -> Response:
    if request.method == "GET":
        return await _forgot_page(request, {"email": ""}, {})
    form = await request.form()
    email = field(form, "email")
    await form.close()  # a file sent instead of text is dropped now, not at garbage collection
    values = {"email": email[:254]}
    limits, ip = reset_throttles(request), client_ip(request)
    too_many = {"form": i18n.gettext("Too many requests for a link. Try again in an hour.")}
    if limits.ip.blocked(ip):
        return await _forgot_page(request, values, too_many, 429)
    try:
        # Per address from this client: keyed on the address alone, anyone could
        # keep its owner from asking, by asking five times an hour.
        address = f"{ip} {normalise_email(email).lower()}"
    except ValidationError as error:
        return await _forgot_page(request, values, form_error_message(error), 400)
    if limits.address.blocked(address):
        return await _forgot_page(request, values, too_many, 429)
    limits.ip.fail(ip)
    limits.address.fail(address)
    # Queues a mail or nothing; what follows is the same either way.
    await request_password_reset(email)
    return await _page(request, "password/sent.html")


async def _invalid(request: Request) -> Response:
    session = session_of(request)
    if session.get(SESSION_KEY):
        session.set(SESSION_KEY, None)
    return await _page(request, "password/invalid.html", status_code=400)


async def from_link(request: Request) -> Response:
    """The link from the mail: keep a valid token in the session, then go to the form.

    Always a redirect, never a page: a page served with `no-referrer` would make every
    form on it (the header's log-out, the language switcher) post `Origin: null`.
    """
    token: str = request.path_params["token"]
    secret = request.app.state.settings.secret_key
    session = session_of(request)
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise NotFound("too long")
        await account_for_token(secret, token)
    except NotFound:
        if session.get(SESSION_KEY):
            session.set(SESSION_KEY, None)  # and the form page says the link does not work
    else:
        session.set(SESSION_KEY, token)
    return RedirectResponse("/password/reset", status_code=303, headers=NO_REFERRER)


async def _token_account(request: Request) -> tuple[str, Account] | None:
    token = session_of(request).get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    try:
        return token, await account_for_token(request.app.state.settings.secret_key, token)
    except NotFound:
        return None


async def _reset_page(
    request: Request, account: Account, error: str = "", status_code: int = 200
) -> Response:
    context: dict[str, Any] = {"account": account, "error": error}
    return await _page(request, "password/reset.html", context, status_code=status_code)


async def reset(request: Request) -> Response:
    found = await _token_account(request)
    if found is None:
        return await _invalid(request)
    token, account = found
    if request.method == "GET":
        return await _reset_page(request, account)
    form = await request.form()
    password = field(form, "password")
    await form.close()
    try:
        account = await reset_password(request.app.state.settings.secret_key, token, password)
    except ValidationError as error:
        return await _reset_page(request, account, form_error_message(error)["password"], 400)
    except NotFound:
        return await _invalid(request)
    session = session_of(request)
    if not session.get("language"):
        # The page after this one speaks the language the person was reading (the one of
        # the message below), not their account's, which would apply from this login on.
        session.set("language", i18n.current_locale())
    await session.login(account)  # a fresh session; every other one has ended
    await record_login(account)
    session.flash(
        i18n.gettext(
            "Your new password is set and you are logged in. "
            "Every other session of your account was logged out."
        ),
        "success",
    )
    return RedirectResponse("/", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/password/forgot", forgot, methods=["GET", "POST"], name="password_forgot"),
        Route("/password/reset/{token:str}", from_link, name="password_reset_link"),
        Route("/password/reset", reset, methods=["GET", "POST"], name="password_reset"),
    ]
