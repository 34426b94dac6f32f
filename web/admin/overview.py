"""/admin: the key figures of the instance, and the way to each admin page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.instance_profile import instance_profile
from fedimob.federation.instance_overview import instance_figures
from web.admin.guard import admin_required
from web.templating import render


@admin_required
async def overview(request: Request) -> Response:
    return await render(
        request,
        "admin/overview.html",
        {"figures": await instance_figures(), "profile": await instance_profile()},
    )


def routes() -> list[BaseRoute]:
    return [Route("/admin", overview, name="admin")]
