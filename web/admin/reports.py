"""/admin/reports: reports other servers sent us, closing them, and acting on them.

From a report an admin can suspend a local account it names, or block the
domain it came from. The objects a report names are always ours (only those
are kept), so "the reported actor's domain" is ours and never blocked.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.moderation import (
    Closing,
    close_report,
    get_report,
    list_reports,
    suspend_named_account,
)
from fedimob.errors import NotFound, PermissionDenied, ValidationError
from fedimob.federation.domain_blocks import block_reporter_domain
from web import i18n
from web.admin.guard import admin_required, done, require_admin
from web.forms import field
from web.templating import render

PATH = "/admin/reports"


@admin_required
async def reports_page(request: Request) -> Response:
    closed = request.query_params.get("closed") == "1"
    instance_url = request.app.state.settings.url
    return await render(
        request,
        "admin/reports.html",
        {"reports": await list_reports(instance_url, resolved=closed), "closed": closed},
    )


async def _act(request: Request, report_id: int, action: str, username: str) -> str:
    """Do what the admin asked; the message to show."""
    admin, instance_url = require_admin(request), request.app.state.settings.url
    if action in ("resolve", "dismiss"):
        closing = Closing.RESOLVED if action == "resolve" else Closing.DISMISSED
        if not await close_report(report_id, closing, by=admin):
            return i18n.gettext("This report was already closed.")
        if closing == Closing.RESOLVED:
            return i18n.gettext("The report is marked resolved.")
        return i18n.gettext("The report is dismissed.")
    if action == "block_reporter":
        added = await block_reporter_domain(report_id, own_url=instance_url, by=admin)
        return i18n.gettext("%(domain)s is blocked.") % {"domain": added.domain}
    if action == "suspend":
        account = await suspend_named_account(report_id, username, instance_url, by=admin)
        return i18n.gettext("The account @%(name)s is suspended: it can no longer log in.") % {
            "name": account.username
        }
    raise ValidationError(f"unknown action {action!r}", field="action")


@admin_required
async def report_action(request: Request) -> Response:
    report_id = request.path_params["report_id"]
    form = await request.form()
    try:
        await get_report(report_id, request.app.state.settings.url)
    except NotFound:
        raise HTTPException(404, "No such report") from None
    try:
        message = await _act(request, report_id, field(form, "action"), field(form, "username"))
    except PermissionDenied:
        return done(request, i18n.gettext("You cannot suspend your own account."), PATH, "error")
    except NotFound:
        message = i18n.gettext("This report does not name that account.")
        return done(request, message, PATH, "error")
    except ValidationError:
        message = i18n.gettext("This action is not possible for this report.")
        return done(request, message, PATH, "error")
    return done(request, message, PATH)


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, reports_page, name="admin_reports"),
        Route(
            PATH + "/{report_id:int}", report_action, methods=["POST"], name="admin_report_action"
        ),
    ]
