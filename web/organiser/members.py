"""An association's members: every member sees who runs it; owners add, change, remove."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.domain.members import (
    add_member_by_username,
    change_role,
    is_owner,
    members_of,
    remove_member,
)
from fedimob.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from fedimob.models import Association, MemberRole
from web import i18n
from web.access import require_user
from web.endpoints import refuse
from web.forms import field
from web.organiser.access import association_members, not_found
from web.sessions import session_of
from web.templating import render

LAST_OWNER = i18n.N_("An association keeps at least one owner: make someone else owner first.")


def _members_path(request: Request, association: Association) -> str:
    return str(request.url_for("dashboard_members", name=association.username).path)


def _role(value: str) -> MemberRole | None:
    try:
        return MemberRole(value)
    except ValueError:
        return None


async def _members_page(
    request: Request,
    association: Association,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "organiser/members.html",
        {
            "association": association,
            "members": await members_of(association),
            "owner": await is_owner(require_user(request), association.id),
            "roles": list(MemberRole),
            "role_options": [(str(r), i18n.label(r)) for r in MemberRole],
            "values": values or {"role": MemberRole.ORGANISER},
            "errors": errors or {},
            "me": require_user(request).id,
        },
        status_code=status_code,
    )


async def _not_owner(request: Request) -> Response:
    return await refuse(
        request,
        403,
        i18n.gettext("Only owners can do this"),
        i18n.gettext("Only the association's owners can change its members."),
    )


@association_members
async def members_page(request: Request, association: Association, role: MemberRole) -> Response:
    if request.method == "GET":
        return await _members_page(request, association)
    form = await request.form()
    values = {"username": field(form, "username").strip(), "role": field(form, "role")}
    chosen = _role(values["role"])
    errors: dict[str, str] = {}
    if chosen is None:
        errors["role"] = i18n.gettext("Choose a role.")
    else:
        try:
            member = await add_member_by_username(
                association, values["username"], chosen, by=require_user(request)
            )
        except PermissionDenied:
            return await _not_owner(request)
        except NotFound:
            errors["username"] = i18n.gettext("There is no account with this username here.")
        except Conflict:
            errors["username"] = i18n.gettext(
                "This person is already a member: change their role in the list."
            )
        else:
            session_of(request).flash(
                i18n.gettext("%(name)s is now a member.") % {"name": member.account.username},
                "success",
            )
            return RedirectResponse(_members_path(request, association), status_code=303)
    return await _members_page(request, association, values=values, errors=errors, status_code=400)


@association_members
async def member_role(request: Request, association: Association, role: MemberRole) -> Response:
    form = await request.form()
    chosen = _role(field(form, "role"))
    session = session_of(request)
    try:
        if chosen is None:
            raise NotFound("no such role")
        await change_role(association, request.path_params["aid"], chosen, by=require_user(request))
    except PermissionDenied:
        return await _not_owner(request)
    except NotFound:
        return await not_found(request)
    except InvalidTransition:
        session.flash(i18n.gettext(LAST_OWNER), "error")
    else:
        session.flash(i18n.gettext("The role is changed."), "success")
    return RedirectResponse(_members_path(request, association), status_code=303)


@association_members
async def member_remove(request: Request, association: Association, role: MemberRole) -> Response:
    session = session_of(request)
    try:
        await remove_member(association, request.path_params["aid"], by=require_user(request))
    except PermissionDenied:
        return await _not_owner(request)
    except NotFound:
        return await not_found(request)
    except InvalidTransition:
        session.flash(i18n.gettext(LAST_OWNER), "error")
    else:
        session.flash(i18n.gettext("The member is removed."), "success")
    return RedirectResponse(_members_path(request, association), status_code=303)


def routes() -> list[BaseRoute]:
    base = "/dashboard/associations/{name:str}/members"
    return [
        Route(base, members_page, methods=["GET", "POST"], name="dashboard_members"),
        Route(
            base + "/{aid:int}/role", member_role, methods=["POST"], name="dashboard_member_role"
        ),
        Route(
            base + "/{aid:int}/remove",
            member_remove,
            methods=["POST"],
            name="dashboard_member_remove",
        ),
    ]
