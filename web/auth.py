"""Signing up, logging in and out.

Login answers the same for an unknown name and a wrong password (no user
enumeration), and failed attempts are throttled per address, and per name from
that address: a name is never locked for everyone, or anyone could keep its
owner out by failing on purpose.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.accounts import authenticate, create_account, record_login
from fedimob.domain.instance_settings import registrations_open
from fedimob.errors import Conflict, ValidationError
from web import i18n
from web.access import current_user, safe_next
from web.forms import field, form_error_message
from web.sessions import session_of
from web.templating import render
from web.throttle import client_ip, throttles

SIGNUP_FIELDS = ("username", "display_name", "email")


async def _signup_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    return await render(
        request,
        "signup.html",
        {"values": values, "errors": errors, "next": values.get("next", "")},
        status_code=status_code,
    )


async def signup(request: Request) -> Response:
    if not await registrations_open():
        return await render(request, "signup_closed.html", status_code=403)
    if request.method == "GET":
        if await current_user(request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return await _signup_page(request, {"next": request.query_params.get("next", "")}, {})
    form = await request.form()
    values = {name: field(form, name) for name in (*SIGNUP_FIELDS, "next")}
    limit, ip = throttles(request).signup_ip, client_ip(request)
    if limit.blocked(ip):
        errors = {"form": i18n.gettext("Too many sign-ups from your address. Try again later.")}
        return await _signup_page(request, values, errors, 429)
    limit.fail(ip)  # every attempt counts: this slows account farming, not people
    try:
        account = await create_account(
            username=values["username"],
            email=values["email"],
            password=field(form, "password"),
            display_name=values["display_name"].strip(),
            language=i18n.current_locale(),
        )
    except (ValidationError, Conflict) as error:
        return await _signup_page(request, values, form_error_message(error), 400)
    session = session_of(request)
    await session.login(account)
    await record_login(account)
    session.flash(i18n.gettext("Welcome! Your account is ready."), "success")
    return RedirectResponse(safe_next(values["next"]), status_code=303)


async def _login_page(
    request: Request, values: dict[str, Any], error: str = "", status_code: int = 200
) -> Response:
    return await render(
        request,
        "login.html",
        {"values": values, "error": error, "next": values.get("next", "")},
        status_code=status_code,
    )


async def login(request: Request) -> Response:
    if request.method == "GET":
        if await current_user(request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return await _login_page(request, {"next": request.query_params.get("next", "")})
    form: FormData = await request.form()
    values = {"username": field(form, "username"), "next": field(form, "next")}
    limits, ip = throttles(request), client_ip(request)
    name_key = f"{ip} {values['username'].strip().lower()[:64]}"
    if limits.login_ip.blocked(ip) or limits.login_user.blocked(name_key):
        error = i18n.gettext("Too many failed attempts. Wait a few minutes and try again.")
        return await _login_page(request, values, error, 429)
    account = await authenticate(values["username"], field(form, "password"))
    if account is None:
        limits.login_ip.fail(ip)
        limits.login_user.fail(name_key)
        error = i18n.gettext("This username and password do not match an account.")
        return await _login_page(request, values, error, 400)
    limits.login_user.clear(name_key)
    await session_of(request).login(account)
    await record_login(account)
    return RedirectResponse(safe_next(values["next"]), status_code=303)


async def logout(request: Request) -> Response:
    await session_of(request).logout()
    return RedirectResponse("/", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/signup", signup, methods=["GET", "POST"], name="signup"),
        Route("/login", login, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
    ]
