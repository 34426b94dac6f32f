"""Who may open an organiser page: the members of the association it belongs to.

Each page of web/organiser/ is wrapped by one of these decorators, which log
the visitor in if needed, load the campaign or association named in the path,
and check the visitor's role there. Someone without a role gets the same
404 page whether the campaign exists or not, so another association's
organisers learn nothing of our drafts, participants or members.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from fedimob.domain.associations import get_association, require_organiser
from fedimob.domain.dashboard import organised_campaign
from fedimob.errors import NotFound, PermissionDenied
from fedimob.models import Association, Campaign, MemberRole
from web import i18n
from web.access import Endpoint, login_required, require_user
from web.endpoints import refuse

CampaignEndpoint = Callable[[Request, Campaign], Awaitable[Response]]
AssociationEndpoint = Callable[[Request, Association, MemberRole], Awaitable[Response]]


async def not_found(request: Request) -> Response:
    return await refuse(
        request,
        404,
        i18n.gettext("Page not found"),
        i18n.gettext("There is nothing here, or it is not yours to manage."),
    )


def campaign_organisers(endpoint: CampaignEndpoint) -> Endpoint:
    """The endpoint gets the campaign of `{slug}` (its association loaded), for its
    association's organisers only."""

    @login_required
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        try:
            campaign = await organised_campaign(request.path_params["slug"], require_user(request))
        except NotFound:
            return await not_found(request)
        return await endpoint(request, campaign)

    return guarded


async def organised_association(request: Request, name: str) -> tuple[Association, MemberRole]:
    """The association named `name` and the visitor's role there (NotFound when none)."""
    try:
        association = await get_association(name)
        role = await require_organiser(require_user(request), association.id)
    except PermissionDenied:
        raise NotFound(f"no association named {name!r}") from None
    return association, role


def association_members(endpoint: AssociationEndpoint) -> Endpoint:
    """The endpoint gets the association of `{name}` and the visitor's role, members only."""

    @login_required
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        try:
            association, role = await organised_association(request, request.path_params["name"])
        except NotFound:
            return await not_found(request)
        return await endpoint(request, association, role)

    return guarded
