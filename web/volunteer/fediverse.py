"""Joining with one's Fediverse account: type `@you@your.server`, vote on your own server.

`/campaigns/{slug}/fediverse` explains the one click that remains (a vote for
the time one gives, in the campaign's poll, on one's own server) and asks for
the address; the POST looks the address up (a `fedimob.federation` service,
through the safe client) and answers 303 to that server's remote-interaction
page for the poll.

CSP `form-action` also governs where a submitted form may be redirected, so
this page, alone, allows forms to lead to other https sites: the visitor's
server is not known in advance. Its form still needs our CSRF token, so no
other site can use us to redirect someone.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.federation.remote_interaction import InteractionUnavailable, poll_interaction
from fedimob.models import Campaign
from web import i18n
from web.forms import field
from web.security import HEADERS
from web.sessions import session_of
from web.templating import render
from web.throttle import FailureThrottle, client_ip
from web.volunteer.joining import HANDLE_KEY, joining_open, public_campaign

# Each lookup makes us ask another server: a visitor gets a few dozen an hour.
LOOKUPS_PER_HOUR = 30
UNAVAILABLE = {
    "invalid": (
        400,
        i18n.N_(
            "Type your address as @you@your.server: the one you use on Mastodon, Misskey, "
            "Friendica or another Fediverse server."
        ),
    ),
    "local": (400, i18n.N_("This is an account of this site: log in to join with it.")),
    "refused": (400, i18n.N_("This server cannot be reached from here.")),
    "unknown": (404, i18n.N_("Your server does not know this account: check the spelling.")),
    "unreachable": (
        502,
        i18n.N_("Your server did not answer in time. Try again in a moment."),
    ),
    "unusable": (
        502,
        i18n.N_("Your server's answer could not be used. Search for the campaign there instead."),
    ),
}


def _lookups(request: Request) -> FailureThrottle:
    found: FailureThrottle | None = getattr(request.app.state, "fediverse_join_lookups", None)
    if found is None:
        found = FailureThrottle(limit=LOOKUPS_PER_HOUR, window=60 * 60)
        request.app.state.fediverse_join_lookups = found
    return found


def _form_action(request: Request) -> str:
    """The site's CSP, with forms allowed to lead to other sites (see the docstring)."""
    extra = "https: http:" if request.app.state.settings.dev_allow_private_network else "https:"
    return HEADERS["content-security-policy"].replace(
        "form-action 'self'", f"form-action 'self' {extra}"
    )


async def _page(
    request: Request,
    campaign: Campaign,
    *,
    handle: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    response = await render(
        request,
        "volunteer/fediverse.html",
        {
            "campaign": campaign,
            "campaign_handle": f"@{campaign.slug}@{settings.domain}",
            "joining_open": joining_open(campaign),
            "handle": handle or session_of(request).get(HANDLE_KEY) or "",
            "error": error,
        },
        status_code=status_code,
    )
    response.headers["content-security-policy"] = _form_action(request)
    return response


async def fediverse_join(request: Request) -> Response:
    campaign = await public_campaign(request.path_params["slug"])
    if request.method == "GET":
        return await _page(request, campaign)
    form = await request.form()
    typed = field(form, "handle")[:600]
    if not joining_open(campaign):
        error = i18n.gettext("This campaign is not taking participants any more.")
        return await _page(request, campaign, handle=typed, error=error, status_code=409)
    lookups, ip = _lookups(request), client_ip(request)
    if lookups.blocked(ip):
        error = i18n.gettext("Too many attempts from your address. Try again later.")
        return await _page(request, campaign, handle=typed, error=error, status_code=429)
    lookups.fail(ip)  # every lookup counts: each one asks another server
    try:
        found = await poll_interaction(request.app.state.federation, campaign.slug, typed)
    except InteractionUnavailable as unavailable:
        status, message = UNAVAILABLE.get(unavailable.reason, UNAVAILABLE["unusable"])
        error = i18n.gettext(message)
        return await _page(request, campaign, handle=typed, error=error, status_code=status)
    session_of(request).set(HANDLE_KEY, found.handle)
    return RedirectResponse(found.url, status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/campaigns/{slug:str}/fediverse", fediverse_join, methods=["GET", "POST"],
              name="campaign_fediverse_join"),
    ]  # fmt: skip
