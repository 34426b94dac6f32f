"""The admins' pages: overview, settings, accounts, domain blocks, reports, regions, health.

Every page is for admins only (`web.admin.guard.admin_required`): visitors
are sent to log in, other people get 403. Changes are POSTed (CSRF-checked
by web.endpoints like every form), then the page is shown again (303).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.admin.accounts import routes as accounts_routes
from web.admin.blocks import routes as blocks_routes
from web.admin.health import routes as health_routes
from web.admin.overview import routes as overview_routes
from web.admin.regions import routes as regions_routes
from web.admin.reports import routes as reports_routes
from web.admin.settings import routes as settings_routes


def routes() -> list[BaseRoute]:
    return [
        *overview_routes(),
        *settings_routes(),
        *accounts_routes(),
        *blocks_routes(),
        *reports_routes(),
        *regions_routes(),
        *health_routes(),
    ]
