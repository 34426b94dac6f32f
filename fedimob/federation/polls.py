"""The join poll: a campaign's `Question`, one option per pledge (DESIGN.md, "join poll").

Mastodon cannot send `Join`; it can vote. A vote (`Create{Note{name, inReplyTo}}`)
for an option is a participation with that option's pledge. The tallies are
the live counter, refreshed by an `Update{Question}` that never sets `updated`
(so Mastodon shows no "edited" marker), and the poll closes at the deadline.
"""

from __future__ import annotations

import re
import uuid
from html import escape
from typing import Any
from urllib.parse import urlsplit

from activitypub.audience import AS_PUBLIC
from activitypub.contexts import fedimob_context
from fedimob.domain.summaries import campaign_path
from fedimob.federation.urls import LocalUrls
from fedimob.models import Actor, Campaign, CampaignState, Participation, ParticipationState

LABELS = {
    "fr": ("Je participe : {}", "{} min", "{} h", "{} h {:02d}"),
    "en": ("I'm in: {}", "{} min", "{} h", "{} h {:02d}"),
}
INVITATIONS = {
    "fr": "Rejoignez « {} » : votez pour le temps que vous donnez.",
    "en": "Join “{}”: vote for the time you give.",
}


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def option_label(minutes: int, language: str) -> str:
    """`I'm in: 1 h 30` (at most 50 characters, Mastodon's limit for an option)."""
    sentence, short, hours_only, hours_minutes = LABELS.get(language[:2], LABELS["en"])
    hours, rest = divmod(minutes, 60)
    amount = (
        short.format(minutes)
        if not hours
        else (hours_minutes.format(hours, rest) if rest else hours_only.format(hours))
    )
    return sentence.format(amount)


def poll_options(campaign: Campaign) -> dict[str, int]:
    """Option label -> pledged minutes, in the campaign's language."""
    return {option_label(m, campaign.language): m for m in campaign.pledge_options}


async def tallies(campaign: Campaign) -> dict[int, int]:
    """Accepted participants per pledge (whatever path they came by)."""
    counts: dict[int, int] = {}
    rows = await Participation.filter(
        campaign_id=campaign.id, state=ParticipationState.ACCEPTED
    ).values_list("pledge_minutes", flat=True)
    for minutes in rows:
        counts[int(minutes)] = counts.get(int(minutes), 0) + 1  # type: ignore[call-overload]
    return counts


def poll_id(urls: LocalUrls, slug: str) -> str:
    return urls.settings.absolute(f"/campaigns/{slug}/poll")


EMPTY_TALLY = {"type": "Collection", "totalItems": 0}
_POLL_PATH = re.compile(r"/campaigns/([a-z0-9_.-]{1,64})/poll(?:/[0-9a-f-]{36})?")


def slug_of_poll(urls: LocalUrls, poll: str) -> str | None:
    """The campaign of one of our polls: the public one, or a private copy sent to a follower."""
    if not urls.is_local(poll):
        return None
    match = _POLL_PATH.fullmatch(urlsplit(poll).path)
    return match.group(1) if match else None


def private_poll(question: dict[str, Any], note: dict[str, Any]) -> dict[str, Any]:
    """The campaign's poll as a direct message: the note's text and audience, the poll's options."""
    return {
        **note,
        "id": f"{question['id']}/{uuid.uuid4()}",
        "type": "Question",
        "endTime": question["endTime"],
        "oneOf": [
            {
                "type": "Note",
                "name": option["name"],
                "replies": {"type": "Collection", "totalItems": 0},
            }
            for option in question["oneOf"]
        ],
    }


def campaign_to_question(
    campaign: Campaign, actor: Actor, urls: LocalUrls, counts: dict[int, int]
) -> dict[str, Any]:
    page = urls.settings.absolute(campaign_path(campaign.slug))
    invitation = INVITATIONS.get(campaign.language[:2], INVITATIONS["en"]).format(campaign.title)
    question: dict[str, Any] = {
        "@context": fedimob_context(),
        "id": poll_id(urls, campaign.slug),
        "type": "Question",
        "attributedTo": urls.actor_id(actor),
        "to": [AS_PUBLIC],
        "cc": [urls.followers(actor)],
        "content": f'<p>{escape(invitation)}</p><p><a href="{escape(page)}">{escape(page)}</a></p>',
        "url": page,
        "published": _iso(campaign.published_at),
        "endTime": _iso(campaign.deadline),
        "votersCount": campaign.participants_count,
        "oneOf": [
            {"type": "Note", "name": label,
             "replies": {"type": "Collection", "totalItems": counts.get(minutes, 0)}}
            for label, minutes in poll_options(campaign).items()
        ],
    }  # fmt: skip
    if campaign.state in {CampaignState.ENDED, CampaignState.CANCELLED}:
        question["closed"] = _iso(campaign.ended_at or campaign.cancelled_at)
    return question
