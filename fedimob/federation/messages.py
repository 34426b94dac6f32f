"""Direct messages from a campaign: a Note addressed to one person, with a mention.

Mastodon shows a Note addressed only to mentioned actors as a private
message. Texts exist in French and English; the campaign's language chooses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Any

from fedimob.domain.summaries import campaign_path
from fedimob.domain.time_zones import clock_text
from fedimob.domain.withdrawal import withdraw_path
from fedimob.federation.context import Federation
from fedimob.federation.outbox import activity, send
from fedimob.federation.polls import option_label
from fedimob.models import Actor, Campaign, Participation, ParticipationState

TEXTS = {
    "joined": {
        "fr": "Merci ! Vous participez à « {title} » : {pledge}. Pour vous retirer, répondez "
        "« je me retire » ou voyez {page}",
        "en": "Thank you! You're in “{title}”: {pledge}. To withdraw, reply “leave” or see {page}",
    },
    "pending": {
        "fr": "Merci ! Votre participation à « {title} » ({pledge}) attend l'accord des "
        "organisateurs.",
        "en": "Thank you! Your participation in “{title}” ({pledge}) awaits the organisers' "
        "approval.",
    },
    "reported": {
        "fr": "Merci ! C'est noté pour « {title} » : {done}.",
        "en": "Thank you! Recorded for “{title}”: {done}.",
    },
    "left": {
        "fr": "C'est noté : vous ne participez plus à « {title} ».",
        "en": "Done: you no longer take part in “{title}”.",
    },
    "reminder": {
        "fr": "Rappel : « {title} », c'est demain, {when}, {where}. Merci d'avance !",
        "en": "Reminder: “{title}” is tomorrow, {when}, at {where}. Thank you!",
    },
    "succeeded": {
        "fr": "« {title} » est terminée : objectif atteint ! Ensemble : {total}. Merci !",
        "en": "“{title}” has ended: goal reached! Together: {total}. Thank you!",
    },
    "missed": {
        "fr": "« {title} » est terminée sans atteindre son objectif. Ensemble : {total}. Merci !",
        "en": "“{title}” has ended short of its goal. Together: {total}. Thank you!",
    },
    "welcome": {
        "fr": "Merci de suivre « {title} » ! Pour participer, votez ici pour le temps que vous "
        "donnez, ou répondez « je participe 2h ».",
        "en": "Thanks for following “{title}”! To take part, vote here for the time you give, "
        "or reply “join 2h”.",
    },
}


def _duration(minutes: int, language: str) -> str:
    return option_label(minutes, language).split(":", 1)[-1].strip()


def text_for(
    kind: str,
    campaign: Campaign,
    *,
    minutes: int = 0,
    impact: str | None = None,
    language: str | None = None,
    page: str | None = None,
    zone: tzinfo = UTC,
) -> str:
    """The message `kind` in `language` (by default the campaign's); `page` is the link
    it gives (by default the campaign's page); times read on the clock of `zone` (the
    instance's time zone), named: '2026-12-05 09:00 CET'."""
    language = (language or campaign.language)[:2]
    template = TEXTS[kind].get(language, TEXTS[kind]["en"])
    total = _duration(campaign.pledged_minutes, language) if campaign.pledged_minutes else "0"
    if campaign.impact_unit and campaign.impact_total:
        total += f", {campaign.impact_total:,.0f} {campaign.impact_unit}"
    return template.format(
        title=campaign.title,
        pledge=_duration(minutes, language) if minutes else "",
        page=page or campaign_path(campaign.slug),
        when=clock_text(campaign.starts_at, zone) if campaign.starts_at else "",
        where=campaign.address,
        total=total,
        done=", ".join(
            part
            for part in (
                _duration(minutes, language) if minutes else "",
                f"{impact} {campaign.impact_unit}".strip() if impact else "",
            )
            if part
        ),
    )


def joined_kind(state: ParticipationState) -> str:
    return "pending" if state == ParticipationState.REQUESTED else "joined"


def mention_html(person: Actor) -> str:
    return (
        f'<span class="h-card"><a href="{escape(person.url or person.ap_id or "")}" '
        f'class="u-url mention">@<span>{escape(person.username)}</span></a></span>'
    )


def private_note(federation: Federation, campaign: Campaign, person: Actor, text: str,
                 now: datetime, *, page: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The Note itself (also the base of a private poll); the `page` path becomes a link."""
    urls = federation.urls
    path = page or campaign_path(campaign.slug)
    link = urls.settings.absolute(path)
    body = escape(text).replace(escape(path), f'<a href="{escape(link)}">{escape(link)}</a>')
    return {
        "id": urls.settings.absolute(f"/notes/{uuid.uuid4()}"),
        "type": "Note",
        "attributedTo": urls.actor_id(campaign.actor),
        "to": [person.ap_id],
        "cc": [],
        "content": f"<p>{mention_html(person)} {body}</p>",
        "tag": [
            {"type": "Mention", "href": person.ap_id, "name": f"@{person.username}@{person.domain}"}
        ],
        "published": now.isoformat().replace("+00:00", "Z"),
    }


async def send_private(
    federation: Federation, campaign: Campaign, person: Actor, document: dict[str, Any],
    now: datetime,
) -> None:  # fmt: skip
    create = activity(federation.urls, campaign.actor, "Create", document, to=[person.ap_id or ""])
    await send(campaign.actor, create, recipients=[person], now=now)


async def tell(
    federation: Federation, campaign: Campaign, person: Actor, kind: str, now: datetime,
    *, minutes: int = 0, impact: str | None = None, page: str | None = None,
    zone: tzinfo = UTC,
) -> None:  # fmt: skip
    """Send `person` the message `kind` about `campaign` (`page`: the link it gives;
    `zone`: the instance's time zone, for the times it gives)."""
    text = text_for(kind, campaign, minutes=minutes, impact=impact, page=page, zone=zone)
    note = private_note(federation, campaign, person, text, now, page=page)
    await send_private(federation, campaign, person, note, now)


async def confirm_participation(
    federation: Federation,
    campaign: Campaign,
    person: Actor,
    participation: Participation,
    now: datetime,
) -> None:
    """Tell a remote person they are in (or awaited), with a link to withdraw in one click."""
    page = withdraw_path(federation.settings.secret_key, participation)
    kind = joined_kind(ParticipationState(participation.state))
    await tell(federation, campaign, person, kind, now,
               minutes=participation.pledge_minutes, page=page)  # fmt: skip
