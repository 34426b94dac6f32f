"""Joining another instance's campaign (one shown here) from a local account.

`POST /remote-campaigns/join` (fields `event`: the campaign's Event URL,
`pledge`: minutes) asks the campaign's home instance to count us in: a row
and a queued `Join`, nothing sent from the web process. The home instance's
answer arrives later, as a notice. `POST /remote-campaigns/leave` withdraws.

Only campaigns shown here can be joined (`remote_campaign` finds them by
their Event URL); anything else, a `javascript:` URL included, is refused.
The discover page gives the buttons their data with `remote_actions()`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.my_participations import remote_joins_by_event
from fedimob.errors import JoinRefused, NotFound, ValidationError
from fedimob.federation.remote_joins import join_remote, leave_remote, remote_campaign
from fedimob.models import Actor, RemoteCampaign
from web import i18n
from web.access import current_user
from web.endpoints import refuse
from web.forms import field
from web.sessions import session_of
from web.volunteer.joining import chosen_pledge, login_first

# Offered for another instance's campaign whose Event names no pledge options of its own.
DEFAULT_REMOTE_PLEDGES = (30, 60, 120, 240)
MAX_EVENT_URL = 2048
AFTER = "/me/participations"


async def remote_actions(request: Request) -> dict[str, Any]:
    """The remote join buttons' data, to merge into the discover page's context.

    `remote_joins`: the visitor's joins (`MyRemoteJoin`) keyed by Event URL
    (empty for visitors); `remote_pledges`: the pledges offered, in minutes, for a
    campaign whose Event names none.
    """
    account = await current_user(request)
    joins = await remote_joins_by_event(account) if account is not None else {}
    return {"remote_joins": joins, "remote_pledges": DEFAULT_REMOTE_PLEDGES}


def pledges_of(campaign: RemoteCampaign) -> tuple[int, ...]:
    """The pledges joining `campaign` from here offers: its own, or the defaults."""
    return tuple(campaign.pledge_options or ()) or DEFAULT_REMOTE_PLEDGES


async def _shown_campaign(request: Request, event: str) -> RemoteCampaign | Response:
    if not event.startswith(("https://", "http://")) or len(event) > MAX_EVENT_URL:
        return await refuse(
            request,
            400,
            i18n.gettext("Not a campaign address"),
            i18n.gettext("A campaign of another instance is named by its https:// address."),
        )
    try:
        return await remote_campaign(event)
    except NotFound:
        return await refuse(
            request,
            404,
            i18n.gettext("Campaign not shown here"),
            i18n.gettext(
                "This instance does not show that campaign, so you cannot join it from here."
            ),
        )


async def join_remote_campaign(request: Request) -> Response:
    account = await current_user(request)
    if account is None:
        return login_first("/")
    form = await request.form()
    found = await _shown_campaign(request, field(form, "event").strip())
    if isinstance(found, Response):
        return found
    pledge = chosen_pledge(field(form, "pledge"), pledges_of(found))
    if pledge is None:
        return await refuse(
            request,
            400,
            i18n.gettext("Form refused"),
            i18n.gettext("Choose one of the pledges offered."),
        )
    actor: Actor = await account.actor
    try:
        await join_remote(request.app.state.federation.urls, actor, found, pledge_minutes=pledge)
    except (JoinRefused, ValidationError):
        return await refuse(
            request,
            409,
            i18n.gettext("Joining is closed"),
            i18n.gettext("This campaign has ended or was cancelled: it takes no one any more."),
        )
    message = i18n.gettext(
        "Request sent to %(domain)s: the campaign's home instance will confirm it."
    ) % {"domain": found.domain}
    session_of(request).flash(message, "success")
    return RedirectResponse(AFTER, status_code=303)


async def leave_remote_campaign(request: Request) -> Response:
    account = await current_user(request)
    if account is None:
        return login_first(AFTER)
    form = await request.form()
    found = await _shown_campaign(request, field(form, "event").strip())
    if isinstance(found, Response):
        return found
    actor: Actor = await account.actor
    session = session_of(request)
    try:
        await leave_remote(actor, found)
    except NotFound:
        session.flash(i18n.gettext("You were not taking part in this campaign."))
        return RedirectResponse(AFTER, status_code=303)
    message = i18n.gettext("You have withdrawn; %(domain)s will be told.") % {
        "domain": found.domain
    }
    session.flash(message, "success")
    return RedirectResponse(AFTER, status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/remote-campaigns/join", join_remote_campaign, methods=["POST"], name="remote_join"),
        Route("/remote-campaigns/leave", leave_remote_campaign, methods=["POST"],
              name="remote_leave"),
    ]  # fmt: skip
