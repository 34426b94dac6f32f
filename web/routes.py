"""Every web route, gathered: one line per module, all served through `web.endpoints.serve`.

To add pages, write a module with a `routes() -> list[BaseRoute]` function and
add one line below. Its endpoints then get the session, the locale and the
CSRF check without asking (see web/endpoints.py).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from web import (
    account,
    admin,
    auth,
    discover,
    favicon,
    language,
    organiser,
    pages,
    password_reset,
    volunteer,
)
from web.endpoints import serve
from web.i18n import Catalogues
from web.page_cache import PageCache

STATIC = Path(__file__).parent / "static"


def web_routes(*, page_cache_seconds: float = 0) -> list[BaseRoute]:
    """Called when the app is built; the translation catalogues are read here, once."""
    catalogues = Catalogues()
    page_cache = PageCache(page_cache_seconds)
    routes: list[BaseRoute] = [
        *pages.routes(),
        *discover.routes(),
        *auth.routes(),
        *password_reset.routes(),
        *account.routes(),
        *language.routes(),
        *volunteer.routes(),
        *admin.routes(),
        *organiser.routes(),
    ]
    return [
        *serve(routes, catalogues, page_cache),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *favicon.routes(),
    ]
