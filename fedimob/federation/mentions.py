"""Mentions and replies to a campaign: "join 2h", "je participe", "leave", "je me retire"."""

from __future__ import annotations

import logging

from activitypub.vocab import has_type, read_ref, read_tags
from fedimob.db import in_transaction
from fedimob.domain.participation import join, leave, report_contribution
from fedimob.errors import FedimobError
from fedimob.federation.keywords import Intent, read_request
from fedimob.federation.messages import confirm_participation, tell
from fedimob.federation.participation import campaign_for
from fedimob.federation.processing import Incoming
from fedimob.models import Campaign, JoinVia

log = logging.getLogger(__name__)


async def _addressed_campaign(incoming: Incoming, note: dict[str, object]) -> Campaign | None:
    """The campaign a note mentions, or whose poll or Event it answers."""
    urls = incoming.federation.urls
    for tag in read_tags(note):
        href = tag.get("href")
        if has_type(tag, "Mention") and isinstance(href, str):
            campaign = await campaign_for(urls, href)
            if campaign is not None:
                return campaign
    answered = read_ref(note, "inReplyTo")
    return await campaign_for(urls, answered.id) if answered is not None else None


async def on_mention(incoming: Incoming) -> None:
    ref = read_ref(incoming.activity, "object")
    note = dict(ref.embedded) if ref is not None and ref.embedded is not None else None
    if note is None or not has_type(note, "Note"):
        return
    author = read_ref(note, "attributedTo")
    content = note.get("content")
    if (author is not None and author.id != incoming.actor.ap_id) or not isinstance(content, str):
        return
    request = read_request(content)
    campaign = await _addressed_campaign(incoming, note) if request else None
    if request is None or campaign is None:
        return
    federation, person, now = incoming.federation, incoming.actor, incoming.now
    try:
        async with in_transaction():  # each change commits with its message
            if request.intent == Intent.LEAVE:
                if (await leave(campaign, person, asked_at=incoming.asked_at, now=now)).changed:
                    await tell(federation, campaign, person, "left", now)
                return
            if request.intent == Intent.REPORT:
                await report_contribution(
                    campaign, person, minutes=request.minutes, impact=request.impact, now=now
                )
                await tell(federation, campaign, person, "reported", now,
                           minutes=request.minutes or 0, impact=request.impact)  # fmt: skip
                return
            change = await join(
                campaign, person, via=JoinVia.MENTION, pledge_minutes=request.minutes,
                ap_id=ref.id if ref else None, asked_at=incoming.asked_at, now=now,
            )  # fmt: skip
            if change.changed:
                await confirm_participation(federation, campaign, person, change.participation, now)
    except FedimobError as refused:  # closed, full, not participating, odd pledge...
        log.info("request by mention for %s not granted: %s", campaign.slug, refused)
