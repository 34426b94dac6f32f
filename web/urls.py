"""`url_for` for templates: Starlette's, with the route of each name found once.

Starlette's `Router.url_path_for` tries every route in turn, each miss raising NoMatchFound;
with fedimob's many routes, the few `url_for` calls of a page were a tenth of its CPU time
(bench/bench_pages.py under py-spy). Here the route that a name and set of parameter names
resolved to is remembered, per router, and asked first. A route's answer depends only on
the name and the parameter names, so the result is the one Starlette gives; when the
remembered route does not answer, the full search runs as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from weakref import ref

import jinja2
from starlette.datastructures import URL, URLPath
from starlette.requests import Request
from starlette.routing import BaseRoute, NoMatchFound, Router

Found = dict[tuple[str, frozenset[str]], BaseRoute]
# Per router, by id (a Router compares by its routes, so it cannot be a key): the weak
# reference tells a live router from a dead one whose id was reused, and drops the entry.
_found: dict[int, tuple[ref[Router], Found]] = {}


def _known_routes(router: Router) -> Found:
    key = id(router)
    entry = _found.get(key)
    if entry is None or entry[0]() is not router:
        entry = (ref(router, lambda _: _found.pop(key, None)), {})
        _found[key] = entry
    return entry[1]


def url_path_for(router: Router, name: str, /, **path_params: Any) -> URLPath:
    """`router.url_path_for(name, **path_params)`, the route looked up once per name."""
    known = _known_routes(router)
    key = (name, frozenset(path_params))
    if (route := known.get(key)) is not None:
        try:
            return route.url_path_for(name, **path_params)
        except NoMatchFound:
            pass
    for route in router.routes:
        try:
            path = route.url_path_for(name, **path_params)
        except NoMatchFound:
            continue
        known[key] = route
        return path
    raise NoMatchFound(name, path_params)


@jinja2.pass_context
def url_for(context: Mapping[str, Any], name: str, /, **path_params: Any) -> URL:
    """What Starlette's template `url_for` returns: the absolute URL of a named route."""
    request: Request = context["request"]
    router = request.scope.get("router")
    if not isinstance(router, Router):
        return request.url_for(name, **path_params)
    return url_path_for(router, name, **path_params).make_absolute_url(request.base_url)
