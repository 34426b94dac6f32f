"""The Jinja2 environment and `render()`, which gives every page the base context.

Autoescaping is on. Strings are translated with `{{ _("...") }}` or
`{% trans %}...{% endtrans %}` (newstyle gettext: `_("%(n)s people", n=3)`),
forms carry `{{ csrf_field() }}`, and the display filters (`number`,
`percent`, `duration`, `when`, `span`, `day`, `ago`) follow the request's locale.

Every page gets the instance's profile as `instance` (its name, sanitised
description, languages offered), read through the domain's short in-memory
cache, not from the database on each request. A page's `title` block names
the page alone; base.html adds the instance's name after it (`site_title`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import NoMatchFound
from starlette.templating import Jinja2Templates

from fedimob.domain.associations import has_memberships
from fedimob.domain.instance_profile import shown_instance_profile
from web import i18n
from web.csrf import csrf_field, csrf_token
from web.sessions import session_of
from web.urls import url_for

TEMPLATES = Path(__file__).parent / "templates"
# (route name, label) of the header's links; a link appears once its route exists.
NAV_LINKS = (
    ("participations", i18n.N_("My participations")),
    ("dashboard", i18n.N_("Dashboard")),
    ("admin", i18n.N_("Admin")),
)
# What pages' titles ended with when the instance's name was fixed; `site_title` drops it.
FIXED_NAME_SUFFIX = " · fedimob"


def site_title(page: str, site_name: str) -> Markup:
    """`Page · Site name`, or the site's name alone for a page without a title of its own.

    `page` is the rendered `title` block (Markup: already escaped; a plain str is
    escaped here). Titles written before the name could be set end with
    " · fedimob": that suffix gives way to the name.
    """
    text = escape(page).strip().removesuffix(FIXED_NAME_SUFFIX).strip()
    if not text or text == FIXED_NAME_SUFFIX.removeprefix(" · "):
        return escape(site_name)
    return Markup("{} · {}").format(text, site_name)


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token, url_for=url_for)
    env.filters.update(
        duration=i18n.duration,
        number=i18n.number,
        percent=i18n.percent,
        site_title=site_title,
        when=i18n.when,
        span=i18n.span,
        day=i18n.day,
        ago=i18n.ago,
        label=i18n.label,
    )
    return Jinja2Templates(env=env)


templates = make_templates()


async def base_context(request: Request) -> dict[str, Any]:
    """What base.html needs: the instance, who is here, their language, messages, the menu."""
    session = session_of(request)
    await session.load()
    user = session.account
    profile = await shown_instance_profile()
    nav = []
    for name, label in NAV_LINKS:
        if name == "participations" and user is None:
            continue
        if name == "dashboard" and (user is None or not await has_memberships(user.id)):
            continue
        if name == "admin" and (user is None or not user.is_admin):
            continue
        try:
            nav.append((str(request.url_for(name).path), i18n.gettext(label)))
        except NoMatchFound:
            continue  # that page is not built yet
    return {
        "instance": profile,
        "languages": i18n.offered(profile.languages),
        "current_user": user,
        "locale": i18n.current_locale(),
        "flashes": session.pop_flashes() if session.exists else [],
        "has_session": session.exists,
        "nav": nav,
        "domain": request.app.state.settings.domain,
        "current_path": request.url.path,
    }


async def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """A page from a template, with the base context under the page's own."""
    full = {**await base_context(request), **(context or {})}
    return templates.TemplateResponse(request, name, full, status_code=status_code)
