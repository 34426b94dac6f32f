"""News of our actors on the Fediverse: `Create{Event}` when a campaign is published,
`Delete` when it is cancelled, `Update` of an actor whose document changed (new key).

The campaign actor sends the Event to the public and its followers; the
association `Announce`s it to its own followers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from activitypub.audience import AS_PUBLIC
from fedimob.db import in_transaction
from fedimob.domain.actors import instance_actor
from fedimob.domain.instance_profile import shown_instance_profile
from fedimob.domain.notices import notify
from fedimob.domain.summaries import campaign_path
from fedimob.federation.context import Federation
from fedimob.federation.documents import actor_document
from fedimob.federation.events import current_event
from fedimob.federation.local_actors import local_actor
from fedimob.federation.messages import tell, text_for
from fedimob.federation.outbox import activity, send, stable_activity_id
from fedimob.federation.polls import campaign_to_question, tallies
from fedimob.jobs.queue import NORMAL, URGENT
from fedimob.jobs.registry import JobRun, PermanentJobError, RetryLater
from fedimob.models import (
    Account,
    Actor,
    ActorKind,
    Campaign,
    CampaignState,
    OutboxActivity,
    ParticipationState,
)


async def _campaign(run: JobRun) -> Campaign:
    campaign_id = run.payload.get("campaign_id")
    campaign = (
        await Campaign.get_or_none(id=campaign_id).select_related("actor", "association__actor")
        if isinstance(campaign_id, int)
        else None
    )
    if campaign is None:
        raise PermanentJobError(f"no campaign {campaign_id!r}")
    return campaign


def _public(urls: Any, actor: Any) -> dict[str, list[str]]:
    return {"to": [AS_PUBLIC], "cc": [urls.followers(actor)]}


async def announce_published(federation: Federation, run: JobRun) -> None:
    campaign = await _campaign(run)
    if campaign.state != CampaignState.PUBLISHED:
        return  # cancelled (or ended) before this job ran: nothing to announce
    urls, actor = federation.urls, campaign.actor
    association = campaign.association.actor
    # Stable ids: if this job runs twice (a worker died after sending), nothing is sent twice.
    create_id = stable_activity_id(urls, f"create:{campaign.id}")
    if await OutboxActivity.exists(ap_id=create_id):
        return
    event = await current_event(campaign, actor, urls, run.now)
    create = activity(urls, actor, "Create", event, **_public(urls, actor), published=run.now)
    create["id"] = create_id
    boost = activity(
        urls, association, "Announce", event["id"], **_public(urls, association), published=run.now
    )
    boost["id"] = stable_activity_id(urls, f"announce:{campaign.id}")
    poll = campaign_to_question(campaign, actor, urls, await tallies(campaign))
    create_poll = activity(urls, actor, "Create", poll, **_public(urls, actor), published=run.now)
    create_poll["id"] = stable_activity_id(urls, f"create-poll:{campaign.id}")
    # Regions: instances that follow ours hear of every new campaign (relay-style).
    instance = await instance_actor()
    relay = activity(
        urls, instance, "Announce", event["id"], **_public(urls, instance), published=run.now
    )
    relay["id"] = stable_activity_id(urls, f"relay:{campaign.id}")
    async with in_transaction():
        await send(actor, create, to_followers=True, now=run.now)
        await send(actor, create_poll, to_followers=True, now=run.now)
        await send(association, boost, to_followers=True, now=run.now)
        await send(instance, relay, to_followers=True, now=run.now)


async def send_to_everyone_concerned(
    campaign: Campaign, document: dict[str, Any], now: datetime, *, priority: int = NORMAL
) -> None:
    """News of a campaign reaches its followers, its association's and our instance's
    followers (every mirror), and the servers of its remote participants."""
    participants = await Actor.filter(
        participations__campaign_id=campaign.id,
        participations__state__in=[ParticipationState.ACCEPTED, ParticipationState.REQUESTED],
        domain__isnull=False,
    )
    await send(
        campaign.actor, document, recipients=participants, to_followers=True,
        followers_of=[campaign.association.actor, await instance_actor()], now=now,
        priority=priority,
    )  # fmt: skip


async def announce_counts(federation: Federation, run: JobRun) -> None:
    """One `Update{Event}` with the new counts, at most once per interval per campaign.

    The job is coalesced (one pending per campaign), so a burst of joins costs
    each follower's server one request per interval, not one per join.
    """
    campaign = await _campaign(run)
    if campaign.state not in {CampaignState.PUBLISHED, CampaignState.ENDED}:
        return
    interval = federation.settings.count_update_seconds
    last = (
        await OutboxActivity.filter(actor_id=campaign.actor.id, activity_type="Update")
        .order_by("-created_at")
        .first()
    )
    if last is not None and (elapsed := (run.now - last.created_at).total_seconds()) < interval:
        raise RetryLater("counts were sent moments ago", delay=interval - elapsed)
    urls, actor = federation.urls, campaign.actor
    event = await current_event(campaign, actor, urls, run.now)
    poll = campaign_to_question(campaign, actor, urls, await tallies(campaign))
    async with in_transaction():
        for document in (event, poll):
            update = activity(urls, actor, "Update", document, **_public(urls, actor),
                              published=run.now)  # fmt: skip
            await send_to_everyone_concerned(campaign, update, run.now, priority=URGENT)


async def announce_edit(federation: Federation, run: JobRun) -> None:
    """What a campaign says changed: its followers and participants get the new Event."""
    campaign = await _campaign(run)
    if campaign.state != CampaignState.PUBLISHED:
        return
    urls, actor = federation.urls, campaign.actor
    event = await current_event(campaign, actor, urls, run.now)
    update = activity(urls, actor, "Update", event, **_public(urls, actor), published=run.now)
    async with in_transaction():
        await send_to_everyone_concerned(campaign, update, run.now)


async def announce_actor_update(federation: Federation, run: JobRun) -> None:
    """Send a local actor's current document (e.g. its new key) to its followers."""
    actor = await Actor.get_or_none(id=run.payload.get("actor_id"), domain__isnull=True)
    if actor is None:
        raise PermanentJobError(f"no local actor {run.payload!r}")
    kind = ActorKind(actor.kind)
    found = await local_actor(kind, actor.username)
    if found is None:
        return  # not public (a draft campaign): nobody follows it
    urls = federation.urls
    document = actor_document(
        found.actor, urls, profile_url=federation.settings.absolute(found.profile_path)
    )
    update = activity(urls, actor, "Update", document, **_public(urls, actor), published=run.now)
    async with in_transaction():
        await send(actor, update, to_followers=True, now=run.now)


async def announce_cancelled(federation: Federation, run: JobRun) -> None:
    campaign = await _campaign(run)
    urls, actor = federation.urls, campaign.actor
    tombstone = {"id": urls.event_id(campaign.slug), "type": "Tombstone", "formerType": "Event"}
    delete = activity(urls, actor, "Delete", tombstone, **_public(urls, actor), published=run.now)
    async with in_transaction():
        await send_to_everyone_concerned(campaign, delete, run.now)


async def tell_participants(federation: Federation, run: JobRun, kind: str) -> None:
    """A direct message to every remote participant, a notice to every local one."""
    campaign = await _campaign(run)
    people = await Actor.filter(
        participations__campaign_id=campaign.id,
        participations__state=ParticipationState.ACCEPTED,
    )
    accounts = {
        account.actor_id: account  # type: ignore[attr-defined]
        for account in await Account.filter(actor_id__in=[p.id for p in people if p.is_local])
    }
    page = federation.urls.settings.absolute(campaign_path(campaign.slug))
    zone = (await shown_instance_profile()).zone
    async with in_transaction():
        for person in people:
            if not person.is_local:
                await tell(federation, campaign, person, kind, run.now, zone=zone)
            elif (account := accounts.get(person.id)) is not None:
                text = text_for(kind, campaign, language=account.language, zone=zone)
                await notify(account.id, kind, text, url=page,
                             key=f"{kind}:{campaign.id}:{account.id}", now=run.now)  # fmt: skip


async def remind_participants(federation: Federation, run: JobRun) -> None:
    campaign = await _campaign(run)
    # Joining closes at the deadline; the action itself may come after it.
    if campaign.state in {CampaignState.PUBLISHED, CampaignState.ENDED}:
        await tell_participants(federation, run, "reminder")


async def announce_outcome(federation: Federation, run: JobRun) -> None:
    campaign = await _campaign(run)
    if campaign.state == CampaignState.ENDED and campaign.outcome is not None:
        await tell_participants(federation, run, str(campaign.outcome))
