"""WebFinger, host-meta and NodeInfo: how other servers find us and our actors."""

from __future__ import annotations

from datetime import timedelta

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from activitypub.errors import WebFingerError
from activitypub.nodeinfo import build_nodeinfo, build_nodeinfo_links
from activitypub.webfinger import Handle, build_host_meta, build_jrd, parse_handle
from fedimob import __version__
from fedimob.clock import utcnow
from fedimob.domain.actors import instance_actor
from fedimob.federation.local_actors import LocalActor, local_actor, local_actor_by_handle
from fedimob.federation.urls import LocalUrls
from fedimob.models import Account, Campaign, CampaignState, CampaignUpdate, Participation
from fedimob.settings import Settings

NODEINFO_PATH = "/nodeinfo/2.1"
NODEINFO_PROFILE = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
CORS = {"access-control-allow-origin": "*"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=CORS)


async def _resolve(resource: str, settings: Settings) -> tuple[str, LocalActor] | None:
    urls = LocalUrls(settings)
    if resource.startswith(("http://", "https://")):
        parsed = urls.parse_actor_id(resource)
        found = await local_actor(*parsed) if parsed else None
        return (found.actor.username, found) if found else None
    try:
        handle = parse_handle(resource)
    except WebFingerError:
        return None
    if handle.host != settings.domain:
        return None
    found = await local_actor_by_handle(handle.user)
    return (handle.user.lower(), found) if found else None


async def webfinger(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    resource = request.query_params.get("resource", "")
    if not resource or len(resource) > 600:
        return _error(400, "the resource parameter is required")
    found = await _resolve(resource, settings)
    if found is None:
        return _error(404, "no such resource here")
    name, local = found
    urls = LocalUrls(settings)
    jrd = build_jrd(
        Handle(name, settings.domain),
        urls.actor_id(local.actor),
        profile_url=settings.absolute(local.profile_path),
    )
    return Response(orjson.dumps(jrd), media_type="application/jrd+json", headers=CORS)


async def host_meta(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    return Response(build_host_meta(settings.url), media_type="application/xrd+xml", headers=CORS)


async def nodeinfo_links(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    actor = await instance_actor()
    links = build_nodeinfo_links(
        settings.absolute(NODEINFO_PATH), LocalUrls(settings).actor_id(actor)
    )
    return JSONResponse(links, headers=CORS)


async def _active_people(days: int) -> int:
    since = utcnow() - timedelta(days=days)
    rows = (
        await Participation.filter(updated_at__gte=since, participant__domain__isnull=True)
        .distinct()
        .values_list("participant_id", flat=True)
    )
    return len(rows)


async def nodeinfo(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    published = await Campaign.filter(
        state__in=[CampaignState.PUBLISHED, CampaignState.ENDED]
    ).count()
    document = build_nodeinfo(
        "fedimob",
        __version__,
        users_total=await Account.filter(is_active=True).count(),
        users_active_month=await _active_people(30),
        users_active_halfyear=await _active_people(180),
        local_posts=published + await CampaignUpdate.all().count(),
        open_registrations=False,
        metadata={
            "nodeName": settings.domain,
            "campaigns": {
                "running": await Campaign.filter(state=CampaignState.PUBLISHED).count(),
                "ended": await Campaign.filter(state=CampaignState.ENDED).count(),
            },
        },
    )
    return Response(orjson.dumps(document), media_type=NODEINFO_PROFILE, headers=CORS)


def discovery_routes() -> list[Route]:
    return [
        Route("/.well-known/webfinger", webfinger),
        Route("/.well-known/host-meta", host_meta),
        Route("/.well-known/nodeinfo", nodeinfo_links),
        Route(NODEINFO_PATH, nodeinfo),
    ]
