"""`Update` and `Delete` of remote actors, `Undo`, `Block` and `Flag`."""

from __future__ import annotations

from activitypub.errors import InvalidDocument
from activitypub.ids import same_origin
from activitypub.vocab import read_refs, read_types, require_ref
from fedimob.db import in_transaction
from fedimob.domain.participation import forget_participant
from fedimob.domain.reactions import unreact
from fedimob.domain.text import sanitise_html
from fedimob.federation.follows import is_follow, local_target, undo_follow
from fedimob.federation.mirrors import forget_deleted, refresh_from_owner
from fedimob.federation.participation import undo_participation
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.federation.reactions import undo_reaction
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.models import Actor, ActorBlock, Follow, InboxItem, Reaction, ReactionKind, Report

MAX_REPORTED_OBJECTS = 50


async def on_update(incoming: Incoming) -> None:
    """An actor's new profile or keys, only from that actor itself."""
    ref = require_ref(incoming.activity, "object")
    if ref.id != incoming.actor.ap_id:
        # An Event its owner updated (counts of a campaign we show); anything else is ignored.
        if ref.embedded is not None and same_origin(ref.id, incoming.actor.ap_id or ""):
            await refresh_from_owner(
                incoming.federation, incoming.actor, dict(ref.embedded), incoming.now
            )
        return
    if ref.embedded is None:
        raise InvalidDocument("Update of an actor without the actor's document")
    await store_remote_actor(dict(ref.embedded), now=incoming.now)
    incoming.federation.keys.forget_owner(incoming.actor.ap_id or "")


async def on_delete(incoming: Incoming) -> None:
    """An actor deleting itself: what it did here goes, counts decrease once."""
    ref = require_ref(incoming.activity, "object")
    if ref.id != incoming.actor.ap_id:
        await forget_deleted(incoming.actor, ref.id, incoming.now)  # a campaign we show, if any
        return
    actor = incoming.actor
    incoming.federation.keys.forget_owner(actor.ap_id or "")
    await forget_participant(actor, now=incoming.now)
    for reaction in await Reaction.filter(actor_id=actor.id).select_related("campaign"):
        await unreact(actor, ap_id=reaction.ap_id or "", campaign=reaction.campaign,
                      kind=ReactionKind(reaction.kind))  # fmt: skip
    async with in_transaction():
        await Follow.filter(follower_id=actor.id).delete()
        await Follow.filter(followed_id=actor.id).delete()
        await Actor.filter(id=actor.id).update(
            deleted_at=incoming.now, public_key_pem="", inbox_url="", shared_inbox_url="",
            display_name="", summary="", url="", icon_url="",
        )  # fmt: skip
        await InboxItem.filter(actor_id=actor.ap_id).update(payload={})


async def on_undo(incoming: Incoming) -> None:
    ref = require_ref(incoming.activity, "object")
    target = dict(ref.embedded) if ref.embedded is not None else None
    if await undo_participation(incoming, target, ref.id):
        return
    if await undo_reaction(incoming, target, ref.id):
        return
    if target is None or is_follow(target):
        await undo_follow(incoming, target, ref.id)
    if target is None or "Block" in read_types(target):
        await ActorBlock.filter(blocker_id=incoming.actor.id, ap_id=ref.id).delete()


async def on_block(incoming: Incoming) -> None:
    blocked = await local_target(incoming.federation, require_ref(incoming.activity, "object").id)
    async with in_transaction():
        await ActorBlock.get_or_create(
            blocker=incoming.actor, blocked=blocked, defaults={"ap_id": incoming.activity["id"]}
        )
        await Follow.filter(follower_id=incoming.actor.id, followed_id=blocked.id).delete()
        await Follow.filter(follower_id=blocked.id, followed_id=incoming.actor.id).delete()


async def on_flag(incoming: Incoming) -> None:
    """A report: kept for the admins with the reported ids that are ours."""
    refs = read_refs(incoming.activity, "object", limit=MAX_REPORTED_OBJECTS)
    ours = [ref.id for ref in refs if incoming.federation.urls.is_local(ref.id)]
    if not ours:
        raise InvalidDocument("the report names nothing of ours")
    content = incoming.activity.get("content")
    await Report.create(
        activity_id=incoming.activity["id"],
        reporter=incoming.actor,
        content=sanitise_html(content[:5000]) if isinstance(content, str) else "",
        object_ids=ours,
        received_at=incoming.now,
    )


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Update")(on_update)
    handlers.on("Delete")(on_delete)
    handlers.on("Undo")(on_undo)
    handlers.on("Block")(on_block)
    handlers.on("Flag")(on_flag)
