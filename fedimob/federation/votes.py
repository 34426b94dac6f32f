"""Poll votes (Mastodon, Misskey, Pleroma...): a vote for an option joins with its pledge.

A vote cannot be undone on Mastodon, so each participation by vote is
confirmed by a direct message (a Note addressed to the voter alone, with a
mention) that says what was pledged and where to withdraw.
"""

from __future__ import annotations

import logging
import uuid
from html import escape

from activitypub.errors import InvalidDocument
from activitypub.polls import read_vote
from fedimob.domain.participation import join
from fedimob.domain.summaries import campaign_path
from fedimob.errors import JoinRefused
from fedimob.federation.outbox import activity, send
from fedimob.federation.participation import campaign_for
from fedimob.federation.polls import option_label, poll_options
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.models import Campaign, JoinVia, ParticipationState

log = logging.getLogger(__name__)
CONFIRMATIONS = {
    "fr": "Merci ! Vous participez à « {title} » : {pledge}. Pour vous retirer : {page}",
    "en": "Thank you! You're in “{title}”: {pledge}. To withdraw: {page}",
}
PENDING = {
    "fr": "Merci ! Votre participation à « {title} » ({pledge}) attend l'accord des organisateurs.",
    "en": "Thank you! Your participation in “{title}” ({pledge}) awaits the organisers' approval.",
}


async def on_create(incoming: Incoming) -> None:
    """A Create that is a vote for one of our polls; other Creates are not ours to act on."""
    vote = read_vote(incoming.activity)
    if vote is None:
        return
    if vote.voter != incoming.actor.ap_id:
        raise InvalidDocument("a vote by someone else than the sender")
    campaign = await campaign_for(incoming.federation.urls, vote.poll_id)
    if campaign is None or not vote.poll_id.endswith("/poll"):
        raise InvalidDocument(f"{vote.poll_id} is not one of our polls")
    minutes = poll_options(campaign).get(vote.choice)
    if minutes is None:
        raise InvalidDocument(f"{vote.choice!r} is not an option of {vote.poll_id}")
    try:
        change = await join(
            campaign, incoming.actor, via=JoinVia.POLL_VOTE, pledge_minutes=minutes,
            ap_id=vote.id, now=incoming.now,
        )  # fmt: skip
    except JoinRefused as refused:
        log.info("vote for %s refused: %s", campaign.slug, refused.reason)
        return
    if change.changed:
        await confirm(incoming, campaign, minutes, change.participation.state)


async def confirm(
    incoming: Incoming, campaign: Campaign, minutes: int, state: ParticipationState
) -> None:
    """A direct message to the participant: what they pledged, where to withdraw."""
    urls, voter = incoming.federation.urls, incoming.actor
    language = campaign.language[:2]
    texts = PENDING if state == ParticipationState.REQUESTED else CONFIRMATIONS
    page = urls.settings.absolute(campaign_path(campaign.slug))
    pledge = option_label(minutes, language).split(":", 1)[-1].strip()
    text = texts.get(language, texts["en"]).format(title=campaign.title, pledge=pledge, page=page)
    handle = f"@{voter.username}@{voter.domain}"
    mention = (
        f'<span class="h-card"><a href="{escape(voter.url or voter.ap_id or "")}" '
        f'class="u-url mention">@<span>{escape(voter.username)}</span></a></span>'
    )
    note = {
        "id": urls.settings.absolute(f"/notes/{uuid.uuid4()}"),
        "type": "Note",
        "attributedTo": urls.actor_id(campaign.actor),
        "to": [voter.ap_id],
        "cc": [],
        "content": f"<p>{mention} {escape(text)}</p>",
        "tag": [{"type": "Mention", "href": voter.ap_id, "name": handle}],
        "published": incoming.now.isoformat().replace("+00:00", "Z"),
    }
    create = activity(urls, campaign.actor, "Create", note, to=[voter.ap_id or ""])
    await send(campaign.actor, create, recipients=[voter], now=incoming.now)


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Create")(on_create)
