"""/admin/health: remote hosts that fail, blocks, and the job queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.federation.delivery_health import failing_hosts, queue_summary
from fedimob.federation.domain_blocks import blocked_count
from web.admin.guard import admin_required
from web.templating import render


@admin_required
async def health_page(request: Request) -> Response:
    now = utcnow()
    queue = await queue_summary(now)
    waiting = queue.waiting(now)
    return await render(
        request,
        "admin/health.html",
        {
            "hosts": await failing_hosts(),
            "blocked": await blocked_count(),
            "queue": queue,
            "waiting_minutes": int(waiting.total_seconds() // 60) if waiting else None,
        },
    )


def routes() -> list[BaseRoute]:
    return [Route("/admin/health", health_page, name="admin_health")]
