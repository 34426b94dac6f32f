"""/admin/blocks: the blocked domains, blocking one, lifting a block."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.errors import NotFound, ValidationError
from fedimob.federation.domain_blocks import (
    MAX_REASON_LENGTH,
    DomainRefused,
    add_block,
    list_blocks,
    remove_block,
)
from web import i18n
from web.admin.guard import admin_required, done, require_admin
from web.forms import field
from web.templating import render

DOMAIN_MESSAGES = {
    "empty": i18n.N_("Enter the domain to block, like spam.example."),
    "shape": i18n.N_("Enter the domain alone, like spam.example: no http://, no path, no port."),
    "own": i18n.N_("This is our own domain: it cannot be blocked."),
}
REASON_MESSAGE = i18n.N_("The reason can have 1,000 characters at most.")


def refusal(error: ValidationError) -> dict[str, str]:
    """{field: message} for a refused domain or reason."""
    if error.field == "reason":
        return {"reason": i18n.gettext(REASON_MESSAGE)}
    problem = error.problem if isinstance(error, DomainRefused) else "shape"
    message = DOMAIN_MESSAGES.get(problem) or DOMAIN_MESSAGES["shape"]
    return {"domain": i18n.gettext(message)}


async def _page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "admin/blocks.html",
        {
            "blocks": await list_blocks(),
            "values": values or {},
            "errors": errors or {},
            "max_reason": MAX_REASON_LENGTH,
        },
        status_code=status_code,
    )


@admin_required
async def blocks_page(request: Request) -> Response:
    """GET: the list and the form. POST: block the domain given."""
    if request.method == "GET":
        return await _page(request)
    form = await request.form()
    values = {"domain": field(form, "domain"), "reason": field(form, "reason")}
    try:
        added = await add_block(
            values["domain"],
            values["reason"],
            own_url=request.app.state.settings.url,
            by=require_admin(request),
        )
    except ValidationError as error:
        return await _page(request, values, refusal(error), 400)
    message = i18n.gettext("%(domain)s is blocked.") % {"domain": added.domain}
    return done(request, message, request.url.path)


@admin_required
async def unblock_domain(request: Request) -> Response:
    form = await request.form()
    domain = field(form, "domain")
    try:
        await remove_block(domain, by=require_admin(request))
    except NotFound:
        message = i18n.gettext("%(domain)s was not blocked.") % {"domain": domain[:253]}
        return done(request, message, "/admin/blocks", "error")
    message = i18n.gettext("The block of %(domain)s is lifted.") % {"domain": domain}
    return done(request, message, "/admin/blocks")


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/blocks", blocks_page, methods=["GET", "POST"], name="admin_blocks"),
        Route("/admin/blocks/remove", unblock_domain, methods=["POST"], name="admin_unblock"),
    ]
