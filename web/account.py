"""A person's own account: settings, password, their data as JSON, erasure."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.account_data import export_account
from fedimob.domain.account_deletion import delete_account, owned_alone
from fedimob.domain.accounts import change_password, set_language
from fedimob.domain.instance_profile import shown_instance_profile
from fedimob.errors import Conflict, PermissionDenied, ValidationError
from web import i18n
from web.access import login_required, require_user
from web.forms import field, form_error_message
from web.sessions import session_of
from web.templating import render
from web.throttle import throttles

TOO_MANY = i18n.N_("Too many wrong passwords. Wait a few minutes and try again.")


def _guessing(request: Request) -> bool:
    """True when this account has typed too many wrong passwords lately."""
    return throttles(request).password_check.blocked(f"account {require_user(request).id}")


def _wrong_password(request: Request) -> None:
    throttles(request).password_check.fail(f"account {require_user(request).id}")


async def _account_page(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return await render(
        request,
        "account.html",
        {"account": require_user(request), "errors": errors or {}},
        status_code=status_code,
    )


@login_required
async def account_page(request: Request) -> Response:
    return await _account_page(request)


@login_required
async def account_language(request: Request) -> Response:
    form = await request.form()
    code = i18n.supported(field(form, "language"), (await shown_instance_profile()).languages)
    if code is None:
        return await _account_page(
            request, form_error_message(ValidationError("", field="language")), 400
        )
    session = session_of(request)
    await set_language(require_user(request), code)
    session.set("language", code)
    return RedirectResponse("/account", status_code=303)


@login_required
async def account_password(request: Request) -> Response:
    form = await request.form()
    session = session_of(request)
    if _guessing(request):
        return await _account_page(request, {"current_password": i18n.gettext(TOO_MANY)}, 429)
    try:
        await change_password(
            require_user(request),
            field(form, "current_password"),
            field(form, "new_password"),
            keep_session=session.id,
        )
    except PermissionDenied:
        _wrong_password(request)
        errors = {"current_password": i18n.gettext("The current password is not right.")}
        return await _account_page(request, errors, 400)
    except ValidationError as error:
        return await _account_page(
            request, {"new_password": form_error_message(error)["password"]}, 400
        )
    await session.login(require_user(request))  # and this browser gets a fresh token
    session.flash(
        i18n.gettext("Your password is changed. Your other sessions are logged out."), "success"
    )
    return RedirectResponse("/account", status_code=303)


@login_required
async def account_export(request: Request) -> Response:
    """The person's data as a JSON download (no state change: a GET)."""
    account = require_user(request)
    return JSONResponse(
        await export_account(account),
        headers={
            "content-disposition": f'attachment; filename="fedimob-{account.username}.json"',
            "cache-control": "no-store",
        },
    )


@login_required
async def account_delete(request: Request) -> Response:
    """GET: what erasing means, and the confirmation form. POST: erase."""
    account = require_user(request)
    if request.method == "GET":
        return await render(request, "account_delete.html", {"error": ""})
    form = await request.form()
    if _guessing(request):
        error = i18n.gettext(TOO_MANY)
        return await render(request, "account_delete.html", {"error": error}, status_code=429)
    try:
        await delete_account(account, field(form, "password"))
    except PermissionDenied:
        _wrong_password(request)
        error = i18n.gettext("The password is not right: nothing was erased.")
        return await render(request, "account_delete.html", {"error": error}, status_code=400)
    except Conflict:
        error = i18n.gettext(
            "You are the last owner of %(names)s, which others run with you. Make one of "
            "them an owner first (Members page): nothing was erased."
        ) % {"names": ", ".join(await owned_alone(account))}
        context = {"error": "", "refusal": error}
        return await render(request, "account_delete.html", context, status_code=409)
    await session_of(request).logout()
    return await render(request, "account_deleted.html")


def routes() -> list[BaseRoute]:
    return [
        Route("/account", account_page, name="account"),
        Route("/account/language", account_language, methods=["POST"], name="account_language"),
        Route("/account/password", account_password, methods=["POST"], name="account_password"),
        Route("/account/export", account_export, name="account_export"),
        Route("/account/delete", account_delete, methods=["GET", "POST"], name="account_delete"),
    ]
