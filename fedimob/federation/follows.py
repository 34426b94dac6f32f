"""Follows in both directions: remote actors following ours, ours following theirs."""

from __future__ import annotations

import logging
from typing import Any

from activitypub.errors import InvalidDocument
from activitypub.vocab import read_ref, read_types, require_ref
from activitypub.webfinger import resolve_handle
from fedimob.db import in_transaction
from fedimob.federation.context import Federation
from fedimob.federation.local_actors import local_actor
from fedimob.federation.messages import private_note, send_private, text_for
from fedimob.federation.outbox import activity, send
from fedimob.federation.polls import campaign_to_question, private_poll
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.models import (
    Actor,
    Campaign,
    CampaignState,
    Follow,
    FollowState,
    Participation,
    ParticipationState,
)

log = logging.getLogger(__name__)


def _follow_summary(document: dict[str, Any]) -> dict[str, Any]:
    """The Follow as embedded in our Accept: what Mastodon needs to match it."""
    return {key: document[key] for key in ("id", "type", "actor", "object") if key in document}


async def local_target(federation: Federation, target_id: str) -> Actor:
    parsed = federation.urls.parse_actor_id(target_id)
    found = await local_actor(*parsed) if parsed else None
    if found is None:
        raise InvalidDocument(f"{target_id} is not one of our actors")
    return found.actor


async def on_follow(incoming: Incoming) -> None:
    """A remote actor follows one of ours: recorded and accepted at once."""
    federation, follow = incoming.federation, incoming.activity
    followed = await local_target(federation, require_ref(follow, "object").id)
    async with in_transaction():
        row, created = await Follow.get_or_create(
            follower=incoming.actor,
            followed=followed,
            defaults={
                "state": FollowState.ACCEPTED,
                "ap_id": follow["id"],
                "accepted_at": incoming.now,
            },
        )
        if not created:
            row.state, row.ap_id = FollowState.ACCEPTED, follow["id"]
            await row.save(update_fields=["state", "ap_id"])
        accept = activity(
            federation.urls,
            followed,
            "Accept",
            _follow_summary(follow),
            to=[incoming.actor.ap_id or ""],
        )
        await send(followed, accept, recipients=[incoming.actor], now=incoming.now)
        if created:
            await welcome(incoming, followed)


async def welcome(incoming: Incoming, followed: Actor) -> None:
    """A campaign's new follower gets its poll by direct message, unless already taking part.

    Following is following the news, not joining (as Gathio does it): the
    private poll makes joining one click away.
    """
    campaign = await Campaign.get_or_none(
        actor_id=followed.id, state=CampaignState.PUBLISHED
    ).select_related("actor")
    if campaign is None or await Participation.exists(
        campaign_id=campaign.id,
        participant_id=incoming.actor.id,
        state__in=[ParticipationState.ACCEPTED, ParticipationState.REQUESTED],
    ):
        return
    federation = incoming.federation
    question = campaign_to_question(campaign, followed, federation.urls, {})
    text = text_for("welcome", campaign)
    note = private_note(federation, campaign, incoming.actor, text, incoming.now)
    await send_private(
        federation, campaign, incoming.actor, private_poll(question, note), incoming.now
    )


async def _our_follow(incoming: Incoming) -> Follow | None:
    """The Follow of ours that an Accept/Reject from `incoming.actor` answers."""
    ref = require_ref(incoming.activity, "object")
    rows = Follow.filter(followed_id=incoming.actor.id, follower__domain__isnull=True)
    found = await rows.filter(ap_id=ref.id).first()
    if found is None and ref.embedded is not None:
        # Some servers rewrite the id; match the embedded Follow's actor instead.
        follower = read_ref(ref.embedded, "actor")
        parsed = incoming.federation.urls.parse_actor_id(follower.id) if follower else None
        local = await local_actor(*parsed) if parsed else None
        if local is not None:
            found = await rows.filter(follower_id=local.actor.id).first()
    return found


async def on_accept(incoming: Incoming) -> None:
    row = await _our_follow(incoming)
    if row is not None and row.state != FollowState.ACCEPTED:
        row.state, row.accepted_at = FollowState.ACCEPTED, incoming.now
        await row.save(update_fields=["state", "accepted_at"])
        log.info("follow of %s accepted", incoming.actor.ap_id)


async def on_reject(incoming: Incoming) -> None:
    row = await _our_follow(incoming)
    if row is not None:
        await row.delete()


async def undo_follow(incoming: Incoming, target: dict[str, Any] | None, target_id: str) -> None:
    """Undo{Follow}: only the follower's own follow, by its id or by what it followed."""
    rows = Follow.filter(follower_id=incoming.actor.id)
    deleted = await rows.filter(ap_id=target_id).delete()
    if not deleted and target is not None:
        followed = read_ref(target, "object")
        parsed = incoming.federation.urls.parse_actor_id(followed.id) if followed else None
        local = await local_actor(*parsed) if parsed else None
        if local is not None:
            await rows.filter(followed_id=local.actor.id).delete()


def is_follow(document: dict[str, Any] | None) -> bool:
    return document is not None and "Follow" in read_types(document)


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Follow")(on_follow)
    # Accept: see participation.on_accept; Reject: remote_joins.on_reject.


async def find_remote_actor(federation: Federation, target: str) -> Actor:
    """A remote actor by URL or `@user@host`, fetched (and cached) through the safe client."""
    if target.startswith(("https://", "http://")):
        actor_url = target
    else:
        scheme = "http" if federation.settings.dev_allow_private_network else "https"
        actor_url = (
            await resolve_handle(target, federation.client.get_json, scheme=scheme)
        ).actor_id
    if federation.urls.is_local(actor_url):
        raise InvalidDocument(f"{target} is one of our own actors")
    return await store_remote_actor(await federation.fetch_object(actor_url))


async def follow_remote(federation: Federation, follower: Actor, target: str) -> Follow:
    """Ask a remote actor to be followed by ours; real once its Accept arrives."""
    remote = await find_remote_actor(federation, target)
    document = activity(federation.urls, follower, "Follow", remote.ap_id, to=[remote.ap_id or ""])
    async with in_transaction():
        row, created = await Follow.get_or_create(
            follower=follower,
            followed=remote,
            defaults={"state": FollowState.PENDING, "ap_id": document["id"]},
        )
        if not created and row.state == FollowState.ACCEPTED:
            return row
        if not created:
            row.ap_id = document["id"]
            await row.save(update_fields=["ap_id"])
        await send(follower, document, recipients=[remote])
    return row


async def unfollow_remote(federation: Federation, follower: Actor, target: str) -> bool:
    """Stop following; tells the remote side with `Undo{Follow}`. False if not following."""
    remote = await Actor.get_or_none(ap_id=target, domain__isnull=False)
    if remote is None:
        remote = await find_remote_actor(federation, target)
    async with in_transaction():
        row = await Follow.get_or_none(follower_id=follower.id, followed_id=remote.id)
        if row is None:
            return False
        undo = activity(
            federation.urls,
            follower,
            "Undo",
            {"id": row.ap_id, "type": "Follow", "actor": federation.urls.actor_id(follower),
             "object": remote.ap_id},
            to=[remote.ap_id or ""],
        )  # fmt: skip
        await row.delete()
        await send(follower, undo, recipients=[remote])
    return True


async def followed_by(actor: Actor) -> list[Follow]:
    """Whom `actor` follows (or asked to), with their state."""
    return await Follow.filter(follower_id=actor.id).select_related("followed").order_by("id")
