"""Actor and object documents, served to those who ask for ActivityStreams."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.summaries import campaign_path
from fedimob.federation.documents import actor_document
from fedimob.federation.events import current_event
from fedimob.federation.fetch_auth import refuse_unsigned
from fedimob.federation.local_actors import erased_person, local_actor
from fedimob.federation.negotiation import ActivityJSONResponse, ActivityPubRoute
from fedimob.federation.polls import campaign_to_question, tallies
from fedimob.federation.urls import LocalUrls
from fedimob.models import ActorKind, CampaignState, OutboxActivity
from fedimob.settings import Settings

NOT_FOUND = {"error": "not found"}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _actor(request: Request, kind: ActorKind) -> Response:
    settings = _settings(request)
    name = request.path_params.get("name", "")
    found = await local_actor(kind, name)
    if found is None and kind == ActorKind.PERSON and (erased := await erased_person(name)):
        # Gone for good (SECURITY.md): servers that cached the actor drop it.
        tombstone = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": settings.absolute(f"/users/{erased.username}"),
            "type": "Tombstone",
            "formerType": "Person",
            "deleted": erased.deleted_at.isoformat().replace("+00:00", "Z")
            if erased.deleted_at
            else None,
        }
        return ActivityJSONResponse(tombstone, status_code=410)
    if found is None:
        return ActivityJSONResponse(NOT_FOUND, status_code=404)
    document = actor_document(
        found.actor, LocalUrls(settings), profile_url=settings.absolute(found.profile_path)
    )
    return ActivityJSONResponse(document)


async def instance(request: Request) -> Response:
    return await _actor(request, ActorKind.APPLICATION)


async def person(request: Request) -> Response:
    return await _actor(request, ActorKind.PERSON)


async def association(request: Request) -> Response:
    return await _actor(request, ActorKind.ORGANIZATION)


async def campaign_actor(request: Request) -> Response:
    return await _actor(request, ActorKind.GROUP)


async def campaign_event(request: Request) -> Response:
    """The Event; a browser is sent to the campaign's page instead."""
    if refusal := await refuse_unsigned(request):
        return refusal
    settings = _settings(request)
    slug = request.path_params["name"]
    counted_at = utcnow()  # before the campaign is read
    found = await local_actor(ActorKind.GROUP, slug)
    if found is None or found.campaign is None:
        return ActivityJSONResponse(NOT_FOUND, status_code=404)
    if found.campaign.state == CampaignState.CANCELLED:
        urls = LocalUrls(settings)
        tombstone = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": urls.event_id(slug),
            "type": "Tombstone",
            "formerType": "Event",
        }
        return ActivityJSONResponse(tombstone, status_code=410)
    event = await current_event(found.campaign, found.actor, LocalUrls(settings), counted_at)
    return ActivityJSONResponse(event)


async def public_activity(request: Request) -> Response:
    """One of our public activities, by its id (non-public ones are not served)."""
    if refusal := await refuse_unsigned(request):
        return refusal
    settings = _settings(request)
    stored = await OutboxActivity.get_or_none(
        ap_id=settings.absolute(request.url.path), public=True
    )
    if stored is None:
        return ActivityJSONResponse(NOT_FOUND, status_code=404)
    return ActivityJSONResponse(stored.payload)


async def campaign_poll(request: Request) -> Response:
    """The join poll (a Question); a browser is sent to the campaign's page instead."""
    if refusal := await refuse_unsigned(request):
        return refusal
    found = await local_actor(ActorKind.GROUP, request.path_params["name"])
    if found is None or found.campaign is None:
        return ActivityJSONResponse(NOT_FOUND, status_code=404)
    campaign = found.campaign
    urls = LocalUrls(_settings(request))
    question = campaign_to_question(campaign, found.actor, urls, await tallies(campaign))
    return ActivityJSONResponse(question)


async def event_page(request: Request) -> Response:
    return RedirectResponse(campaign_path(request.path_params["name"]), status_code=303)


def object_routes() -> list[BaseRoute]:
    """AS2 routes; the negotiating ones must come before the HTML routes of the same path."""
    return [
        Route("/actor", instance),
        ActivityPubRoute("/users/{name:str}", person),
        ActivityPubRoute("/associations/{name:str}", association),
        ActivityPubRoute("/campaigns/{name:str}", campaign_actor),
        ActivityPubRoute("/campaigns/{name:str}/event", campaign_event),
        Route("/campaigns/{name:str}/event", event_page),
        ActivityPubRoute("/campaigns/{name:str}/poll", campaign_poll),
        Route("/campaigns/{name:str}/poll", event_page),
        Route("/activities/{uuid:uuid}", public_activity),
    ]
