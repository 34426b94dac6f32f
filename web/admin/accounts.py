"""/admin/accounts: the local accounts, searched and filtered, and what admins do to them.

Suspending, reinstating, granting and revoking admin rights each have a
confirmation page: GET on the action's address says what will happen (and,
for a suspension, asks for the reason); the POST from that page does it, then
the list is shown again as the admin left it (search, filter, page).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.account_directory import (
    MAX_SEARCH_LENGTH,
    AccountRow,
    AccountStatus,
    account_by_id,
    counts_by_status,
    list_accounts,
    read_search,
    read_status,
)
from fedimob.domain.moderation import (
    MAX_REASON_LENGTH,
    AccountChange,
    grant_admin,
    reinstate_account,
    revoke_admin,
    suspend_account,
)
from fedimob.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from web import i18n
from web.admin.guard import admin_required, done, require_admin
from web.forms import field
from web.templating import render

PATH = "/admin/accounts"
ACTIONS = ("suspend", "reinstate", "grant_admin", "revoke_admin")
MAX_PAGE = 1_000_000
REASON_MESSAGE = i18n.N_(
    "Give the reason for the suspension: 1 to 1,000 characters, without control characters."
)
# What each action did, and what it found already done: {action: (changed, unchanged)}.
OUTCOMES = {
    "suspend": (
        i18n.N_("The account @%(name)s is suspended: it can no longer log in."),
        i18n.N_("The account @%(name)s was already suspended."),
    ),
    "reinstate": (
        i18n.N_("The account @%(name)s is reinstated: it can log in again."),
        i18n.N_("The account @%(name)s was not suspended."),
    ),
    "grant_admin": (
        i18n.N_("@%(name)s is now an admin."),
        i18n.N_("@%(name)s was already an admin."),
    ),
    "revoke_admin": (
        i18n.N_("@%(name)s is no longer an admin."),
        i18n.N_("@%(name)s was not an admin."),
    ),
}


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 8 else 1


def list_query(params: Mapping[str, str]) -> dict[str, str]:
    """The list's search, filter and page from a query string, cleaned (empty ones left out)."""
    status = read_status(params.get("status"))
    page = min(_page_number(params.get("page")), MAX_PAGE)
    query = {"q": read_search(params.get("q")), "status": str(status) if status else ""}
    query["page"] = str(page) if page > 1 else ""
    return {name: value for name, value in query.items() if value}


def _with(path: str, query: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


@admin_required
async def accounts_page(request: Request) -> Response:
    query = list_query(request.query_params)
    status = read_status(query.get("status"))
    page = await list_accounts(
        search=query.get("q", ""), status=status, page=_page_number(query.get("page"))
    )
    here = {**query, "page": str(page.page)} if page.page > 1 else query
    return await render(
        request,
        "admin/accounts.html",
        {
            "page": page,
            "search": query.get("q", ""),
            "status": str(status) if status else "",
            "statuses": list(AccountStatus),
            "counts": await counts_by_status(),
            "me": require_admin(request).id,
            "max_search": MAX_SEARCH_LENGTH,
            "here": ("?" + urlencode(here)) if here else "",
            "previous_path": _with(PATH, list_query({**query, "page": str(page.page - 1)})),
            "next_path": _with(PATH, list_query({**query, "page": str(page.page + 1)})),
        },
    )


def _not_possible(account: AccountRow, action: str, me: int) -> str | None:
    """Why the action cannot be asked for this account now, or None."""
    if account.id == me and action == "suspend":
        return i18n.gettext("You cannot suspend your own account.")
    if account.id == me and action == "revoke_admin":
        return i18n.gettext("You cannot remove your own admin rights.")
    if action == "grant_admin" and account.suspended and not account.is_admin:
        return i18n.gettext("@%(name)s is suspended: reinstate the account first.") % {
            "name": account.username
        }
    already = {
        "suspend": account.suspended,
        "reinstate": not account.suspended,
        "grant_admin": account.is_admin,
        "revoke_admin": not account.is_admin,
    }
    if already[action]:
        return i18n.gettext(OUTCOMES[action][1]) % {"name": account.username}
    return None


async def _confirm(
    request: Request,
    account: AccountRow,
    action: str,
    *,
    reason: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "admin/account_confirm.html",
        {
            "account": account,
            "action": action,
            "action_path": _with(request.url.path, list_query(request.query_params)),
            "back_path": _with(PATH, list_query(request.query_params)),
            "reason": reason,
            "error": error,
            "max_reason": MAX_REASON_LENGTH,
        },
        status_code=status_code,
    )


async def _act(request: Request, account: AccountRow, action: str, reason: str) -> AccountChange:
    admin = require_admin(request)
    if action == "suspend":
        return await suspend_account(account.id, reason, by=admin)
    if action == "reinstate":
        return await reinstate_account(account.id, by=admin)
    if action == "grant_admin":
        return await grant_admin(account.id, by=admin)
    return await revoke_admin(account.id, by=admin)


@admin_required
async def account_action(request: Request) -> Response:
    """GET: the confirmation page. POST (from it): do it, and back to the list."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404, "No such action")
    try:
        account = await account_by_id(request.path_params["account_id"])
    except NotFound:
        raise HTTPException(404, "No such account") from None
    back = _with(PATH, list_query(request.query_params))
    refusal = _not_possible(account, action, require_admin(request).id)
    if request.method == "GET":
        if refusal:
            return done(request, refusal, back, "error")
        return await _confirm(request, account, action)
    reason = field(await request.form(), "reason")
    try:
        change = await _act(request, account, action, reason)
    except ValidationError:
        shown = "".join(ch for ch in reason[:MAX_REASON_LENGTH] if ch.isprintable())
        message = i18n.gettext(REASON_MESSAGE)
        return await _confirm(
            request, account, action, reason=shown, error=message, status_code=400
        )
    except NotFound:
        raise HTTPException(404, "No such account") from None
    except PermissionDenied:
        message = refusal or i18n.gettext("Only the instance's admins can do this.")
        return done(request, message, back, "error")
    except InvalidTransition:
        message = refusal or i18n.gettext("The instance must keep at least one active admin.")
        return done(request, message, back, "error")
    changed, unchanged = OUTCOMES[action]
    message = i18n.gettext(changed if change.changed else unchanged) % {"name": change.username}
    return done(request, message, back, "success" if change.changed else "error")


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, accounts_page, name="admin_accounts"),
        Route(
            PATH + "/{account_id:int}/{action:str}",
            account_action,
            methods=["GET", "POST"],
            name="admin_account_action",
        ),
    ]
