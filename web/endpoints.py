"""How every web endpoint is served: session, locale, CSRF, form limits, then the page.

`serve()` wraps each web route's endpoint once (web/routes.py does it for all
of them), so no page can forget a check:

1. the session is loaded (only when the browser sent a cookie: a first visit
   reads and writes nothing);
2. the locale is chosen among the languages the admins offer: `?lang=` for
   this request, else the session's choice, else the account's, else
   Accept-Language, else English (or the first language offered); times are
   shown and read in the instance's time zone;
3. a state-changing request must come from our own origin, carry a bounded
   form, and that form's `csrf_token` must match the session's; else 403;
4. after the endpoint, the session's changes are stored and the cookie set;
5. a visitor without a cookie may get a public page from the page cache
   (web/page_cache.py), rendered at most a few seconds ago.

Federation routes are not web routes, so none of this touches them.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from fedimob.domain.instance_profile import shown_instance_profile
from web import i18n
from web.access import Endpoint
from web.csrf import FIELD, same_origin, valid_token
from web.page_cache import PageCache
from web.sessions import SessionHandle, serving, session_of
from web.templating import render

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 1024 * 1024
MAX_FORM_FIELDS = 200
# Endpoints whose form may arrive without a session (see `sessionless_form`).
_SESSIONLESS: set[Endpoint] = set()


def sessionless_form(endpoint: Endpoint) -> Endpoint:
    """Accept this endpoint's POST from a visitor who has no session yet.

    Only for choices that protect nothing (the language switcher, whose form
    is in every page's footer: giving it a token would create a session row
    for every visitor). The Origin check still applies; once a session
    exists, its token is required as everywhere else.
    """
    _SESSIONLESS.add(endpoint)
    return endpoint


def choose_locale(request: Request, session: SessionHandle, offered: tuple[str, ...]) -> str:
    """Among the languages the admins offer (a choice no longer offered is passed over).

    `?lang=fr` on any page asks for that language for this request only (not
    remembered): what the page's scripts use when they fetch without cookies.
    """
    account = session.account
    return (
        i18n.supported(request.query_params.get("lang", "")[:16], offered)
        or i18n.supported(session.get("language"), offered)
        or (i18n.supported(account.language, offered) if account else None)
        or i18n.negotiate(request.headers.get("accept-language", ""), offered)
    )


async def refuse(request: Request, status_code: int, title: str, message: str) -> Response:
    return await render(
        request,
        "error.html",
        {"title": title, "message": message},
        status_code=status_code,
    )


async def _check_form(
    request: Request, session: SessionHandle, sessionless: bool
) -> Response | None:
    """None when the state-changing request may proceed, else the refusal page."""
    settings = request.app.state.settings
    if not same_origin(request, settings.url):
        return await refuse(
            request,
            403,
            i18n.gettext("This form was sent from another site"),
            i18n.gettext(
                "For your safety, forms are only accepted from this site's own pages. "
                "Go back, reload the page and try again."
            ),
        )
    length = request.headers.get("content-length", "")
    if not (length.isascii() and length.isdigit()):
        return await refuse(
            request, 411, i18n.gettext("Form refused"), i18n.gettext("The form was empty.")
        )
    if int(length) > MAX_FORM_BYTES:
        return await refuse(
            request, 413, i18n.gettext("Form refused"), i18n.gettext("The form is too large.")
        )
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_BYTES)
    if sessionless and not session.exists:
        return None
    if not valid_token(session, form.get(FIELD)):
        return await refuse(
            request,
            403,
            i18n.gettext("This form has expired"),
            i18n.gettext(
                "The form could not be checked: it may have been open for too long, or "
                "you logged in or out in another tab. Go back, reload the page and try again."
            ),
        )
    return None


SOMETHING_WRONG = i18n.N_("Something is wrong")
NOTHING_HERE = i18n.N_(
    "There is nothing here: the address may be mistyped, or what was here is gone."
)
CANNOT_SERVE = i18n.N_("This request cannot be served.")
ERROR_TITLES = {
    403: i18n.N_("Not allowed"),
    404: i18n.N_("Page not found"),
    405: i18n.N_("Not allowed"),
}


async def _error_page(request: Request, error: HTTPException) -> Response:
    """A page's refusal (404 for an unknown campaign...) as a page of the site, translated."""
    title = i18n.gettext(ERROR_TITLES.get(error.status_code, SOMETHING_WRONG))
    message = i18n.gettext(NOTHING_HERE if error.status_code == 404 else CANNOT_SERVE)
    response = await refuse(request, error.status_code, title, message)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def _guard(endpoint: Endpoint, catalogues: i18n.Catalogues, pages: PageCache) -> Endpoint:
    sessionless = endpoint in _SESSIONLESS

    async def served(request: Request) -> Response:
        if request.method == "HEAD":
            # Answered as the GET would be (the server sends no body). Endpoints
            # branch on GET versus POST: a HEAD must never reach the POST branch,
            # which changes things, without the form checks below.
            request = Request({**request.scope, "method": "GET"}, request.receive)
        session = session_of(request)
        await session.load()
        profile = await shown_instance_profile()
        locale = choose_locale(request, session, profile.languages)
        key = pages.key_for(request, locale)
        if key is not None and (kept := pages.get(key)) is not None:
            return kept
        try:
            active = catalogues.active(locale, profile.time_zone)
            with i18n.use_locale(active), serving(session):
                response = None
                try:
                    if request.method not in SAFE_METHODS:
                        response = await _check_form(request, session, sessionless)
                    if response is None:
                        response = await endpoint(request)
                except HTTPException as error:  # a page's refusal, or a form Starlette refused
                    response = await _error_page(request, error)
                except ClientDisconnect:
                    return Response(status_code=400)  # gone before its form arrived: no one reads
                await session.commit(response)
                if key is not None:
                    pages.put(key, response)
                return response
        finally:
            await request.close()  # a form's uploaded files, if one was parsed
            if key is not None:
                pages.done(key)

    served.__name__ = getattr(endpoint, "__name__", "endpoint")
    served.__doc__ = endpoint.__doc__
    return served


def serve(
    routes: Iterable[BaseRoute], catalogues: i18n.Catalogues, pages: PageCache | None = None
) -> list[BaseRoute]:
    """The same routes, each function endpoint wrapped by the checks above.

    Mounts of routes are served recursively; any other kind of route is
    refused at start-up rather than left unchecked.
    """
    pages = pages or PageCache(0)
    served: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route) and not isinstance(route.endpoint, type):
            served.append(
                Route(
                    route.path,
                    _guard(route.endpoint, catalogues, pages),
                    methods=sorted(route.methods or ()) or None,
                    name=route.name,
                )
            )
        elif isinstance(route, Mount) and route.routes:
            served.append(
                Mount(route.path, routes=serve(route.routes, catalogues, pages), name=route.name)
            )
        else:
            raise TypeError(f"web routes must be function Routes or Mounts of them: {route!r}")
    return served
