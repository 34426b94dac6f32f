"""`Like` of a campaign counts as support, `Announce` as a share; their `Undo` takes it back.

The object may be the campaign's Event, its actor or its poll. Announces of
anything else (other servers' campaigns relayed to us) are not ours to count.
"""

from __future__ import annotations

from typing import Any

from activitypub.vocab import read_ref, read_types, require_ref
from fedimob.domain.reactions import react, unreact
from fedimob.federation.mirrors import mirror_announced
from fedimob.federation.participation import campaign_for
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.models import ReactionKind

KINDS = {"Like": ReactionKind.SUPPORT, "Announce": ReactionKind.SHARE}


async def _react(incoming: Incoming, kind: ReactionKind) -> None:
    target = require_ref(incoming.activity, "object")
    campaign = await campaign_for(incoming.federation.urls, target.id)
    if campaign is not None:
        await react(campaign, incoming.actor, kind, incoming.activity["id"])


async def on_like(incoming: Incoming) -> None:
    await _react(incoming, ReactionKind.SUPPORT)


async def on_announce(incoming: Incoming) -> None:
    """A share of one of our campaigns, or news of another instance's campaign."""
    target = require_ref(incoming.activity, "object")
    if await campaign_for(incoming.federation.urls, target.id) is not None:
        await _react(incoming, ReactionKind.SHARE)
    elif not incoming.federation.urls.is_local(target.id):
        await mirror_announced(incoming.federation, incoming.actor, target.id, incoming.now)


async def undo_reaction(incoming: Incoming, undone: dict[str, Any] | None, undone_id: str) -> bool:
    """Undo{Like | Announce} of one of ours; True if it named a reaction."""
    kind = next((KINDS[t] for t in read_types(undone) if t in KINDS), None) if undone else None
    target = read_ref(undone, "object") if undone else None
    campaign = await campaign_for(incoming.federation.urls, target.id) if target else None
    return await unreact(incoming.actor, ap_id=undone_id, campaign=campaign, kind=kind)


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Like")(on_like)
    handlers.on("Announce")(on_announce)
