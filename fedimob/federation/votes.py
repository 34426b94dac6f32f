"""Poll votes (Mastodon, Misskey, Pleroma...): a vote for an option joins with its pledge.

A vote cannot be undone on Mastodon, so each participation by vote is
confirmed by a direct message that says what was pledged and how to withdraw.
A Create that is not a vote may be a mention asking to join or leave
(`mentions.py`).
"""

from __future__ import annotations

import logging

from activitypub.errors import InvalidDocument
from activitypub.polls import read_vote
from activitypub.vocab import has_type, read_ref
from fedimob.db import in_transaction
from fedimob.domain.participation import join
from fedimob.errors import JoinRefused
from fedimob.federation.mentions import on_mention
from fedimob.federation.messages import confirm_participation
from fedimob.federation.participation import campaign_for
from fedimob.federation.polls import poll_options, slug_of_poll
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.federation.remote_joins import on_direct_message
from fedimob.models import JoinVia

log = logging.getLogger(__name__)


async def on_create(incoming: Incoming) -> None:
    """A Create that is a vote for one of our polls; other Creates are not ours to act on."""
    vote = read_vote(incoming.activity)
    if vote is None:
        note = read_ref(incoming.activity, "object")
        if note is None or note.embedded is None or not has_type(note.embedded, "Note"):
            return
        if not await on_direct_message(incoming, dict(note.embedded)):
            await on_mention(incoming)
        return
    if vote.voter != incoming.actor.ap_id:
        raise InvalidDocument("a vote by someone else than the sender")
    urls = incoming.federation.urls
    slug = slug_of_poll(urls, vote.poll_id)
    campaign = (
        await campaign_for(urls, urls.settings.absolute(f"/campaigns/{slug}")) if slug else None
    )
    if campaign is None:
        raise InvalidDocument(f"{vote.poll_id} is not one of our polls")
    minutes = poll_options(campaign).get(vote.choice)
    if minutes is None:
        raise InvalidDocument(f"{vote.choice!r} is not an option of {vote.poll_id}")
    try:
        # The join and its confirmation commit together: a crash between them
        # would leave a participation that nobody was told about, for ever.
        async with in_transaction():
            change = await join(
                campaign, incoming.actor, via=JoinVia.POLL_VOTE, pledge_minutes=minutes,
                ap_id=vote.id, asked_at=incoming.asked_at, now=incoming.now,
            )  # fmt: skip
            if change.changed:
                await confirm_participation(
                    incoming.federation, campaign, incoming.actor, change.participation,
                    incoming.now,
                )  # fmt: skip
    except JoinRefused as refused:
        log.info("vote for %s refused: %s", campaign.slug, refused.reason)


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Create")(on_create)
