"""/admin/regions: the instances ours follows, those following ours, following and unfollowing.

Following needs the network (the other instance's actor must be found and
fetched), so the form only queues a job; the page shows the request as
pending until the worker has sent the `Follow`, then the follow itself,
pending until the other side accepts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.errors import NotFound, ValidationError
from fedimob.federation.domain_blocks import DomainRefused
from fedimob.federation.region_follows import (
    MAX_TARGET_LENGTH,
    cancel_request,
    follow_requests,
    followed_instances,
    following_instances,
    request_follow,
    unfollow,
)
from web import i18n
from web.admin.guard import admin_required, done, require_admin
from web.admin.inputs import form_id
from web.forms import field
from web.templating import render

PATH = "/admin/regions"
TARGET_MESSAGES = {
    "empty": i18n.N_(
        "Enter what to follow: a domain (region.example), an address "
        "(https://region.example/actor) or a handle (@name@region.example)."
    ),
    "shape": i18n.N_(
        "This is not a domain (region.example), an address "
        "(https://region.example/actor) or a handle (@name@region.example)."
    ),
    "own": i18n.N_("This is our own instance."),
    "blocked": i18n.N_("This domain is blocked: lift the block before following it."),
}


def refusal(error: ValidationError) -> dict[str, str]:
    problem = error.problem if isinstance(error, DomainRefused) else "shape"
    message = TARGET_MESSAGES.get(problem) or TARGET_MESSAGES["shape"]
    return {"target": i18n.gettext(message)}


async def _page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "admin/regions.html",
        {
            "requests": await follow_requests(),
            "following": await followed_instances(),
            "followers": await following_instances(),
            "values": values or {},
            "errors": errors or {},
            "max_target": MAX_TARGET_LENGTH,
        },
        status_code=status_code,
    )


@admin_required
async def regions_page(request: Request) -> Response:
    """GET: the lists and the form. POST: ask to follow an instance."""
    if request.method == "GET":
        return await _page(request)
    form = await request.form()
    values = {"target": field(form, "target")}
    try:
        asked = await request_follow(
            values["target"], request.app.state.settings, by=require_admin(request)
        )
    except ValidationError as error:
        return await _page(request, values, refusal(error), 400)
    message = i18n.gettext(
        "Following %(target)s is requested: it shows as pending until the other side accepts."
    ) % {"target": asked.target}
    return done(request, message, PATH)


@admin_required
async def unfollow_instance(request: Request) -> Response:
    follow_id = form_id(await request.form(), "follow_id")
    try:
        if follow_id is None:
            raise NotFound("no follow id")
        actor_id = await unfollow(
            request.app.state.federation, follow_id, by=require_admin(request)
        )
    except NotFound:
        return done(request, i18n.gettext("This instance was not followed."), PATH, "error")
    message = i18n.gettext("%(actor)s is no longer followed.") % {"actor": actor_id}
    return done(request, message, PATH)


@admin_required
async def cancel_follow_request(request: Request) -> Response:
    job_id = form_id(await request.form(), "request_id")
    try:
        if job_id is None:
            raise NotFound("no request id")
        await cancel_request(job_id, by=require_admin(request))
    except NotFound:
        message = i18n.gettext("This request is already being processed, or gone.")
        return done(request, message, PATH, "error")
    return done(request, i18n.gettext("The follow request is cancelled."), PATH)


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, regions_page, methods=["GET", "POST"], name="admin_regions"),
        Route(PATH + "/unfollow", unfollow_instance, methods=["POST"], name="admin_unfollow"),
        Route(
            PATH + "/cancel", cancel_follow_request, methods=["POST"], name="admin_follow_cancel"
        ),
    ]
