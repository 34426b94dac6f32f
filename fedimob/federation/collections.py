"""Actor collections: the outbox (paged), followers and following (counts only).

Who follows whom is personal data: strangers get `totalItems` and nothing
else. The outbox lists public activities, newest first, 20 a page.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedimob.federation.fetch_auth import refuse_unsigned
from fedimob.federation.local_actors import local_actor
from fedimob.federation.negotiation import ActivityJSONResponse
from fedimob.federation.urls import LocalUrls
from fedimob.models import ActorKind, Follow, FollowState, OutboxActivity

PAGE_SIZE = 20
AS2_CONTEXT = "https://www.w3.org/ns/activitystreams"
KINDS = {"users": ActorKind.PERSON, "associations": ActorKind.ORGANIZATION,
         "campaigns": ActorKind.GROUP}  # fmt: skip


async def _owner(request: Request) -> Any:
    prefix = request.path_params.get("prefix")
    kind = KINDS.get(prefix) if prefix else ActorKind.APPLICATION
    return await local_actor(kind, request.path_params.get("name", "")) if kind else None


async def outbox(request: Request) -> Response:
    if refusal := await refuse_unsigned(request):
        return refusal
    found = await _owner(request)
    if found is None:
        return ActivityJSONResponse({"error": "not found"}, status_code=404)
    urls = LocalUrls(request.app.state.settings)
    collection_id = urls.outbox(found.actor)
    public = OutboxActivity.filter(actor_id=found.actor.id, public=True)
    total = await public.count()
    before = request.query_params.get("max_id", "")
    if "page" not in request.query_params:
        return ActivityJSONResponse({
            "@context": AS2_CONTEXT, "id": collection_id, "type": "OrderedCollection",
            "totalItems": total, "first": f"{collection_id}?page=true",
        })  # fmt: skip
    cursor = re.fullmatch(r"[0-9]{1,18}", before)  # a row id, nothing else
    page_query = public.filter(id__lt=int(before)) if cursor else public
    rows = await page_query.order_by("-id").limit(PAGE_SIZE)
    page: dict[str, Any] = {
        "@context": AS2_CONTEXT,
        "id": f"{collection_id}?page=true" + (f"&max_id={before}" if cursor else ""),
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "orderedItems": [row.payload for row in rows],
    }
    if len(rows) == PAGE_SIZE:
        page["next"] = f"{collection_id}?page=true&max_id={rows[-1].id}"
    return ActivityJSONResponse(page)


async def _count(request: Request, *, followers: bool) -> Response:
    if refusal := await refuse_unsigned(request):
        return refusal
    found = await _owner(request)
    if found is None:
        return ActivityJSONResponse({"error": "not found"}, status_code=404)
    urls = LocalUrls(request.app.state.settings)
    side = {"followed_id" if followers else "follower_id": found.actor.id}
    total = await Follow.filter(state=FollowState.ACCEPTED, **side).count()
    collection_id = urls.followers(found.actor) if followers else urls.following(found.actor)
    return ActivityJSONResponse(
        {"@context": AS2_CONTEXT, "id": collection_id, "type": "OrderedCollection",
         "totalItems": total}
    )  # fmt: skip


async def followers(request: Request) -> Response:
    return await _count(request, followers=True)


async def following(request: Request) -> Response:
    return await _count(request, followers=False)


def collection_routes() -> list[Route]:
    routes = []
    for name, endpoint in (("outbox", outbox), ("followers", followers), ("following", following)):
        routes.append(Route(f"/actor/{name}", endpoint))
        routes.append(Route(f"/{{prefix:str}}/{{name:str}}/{name}", endpoint))
    return routes
