"""Other instances' campaigns, shown here: fetched from their origin, refreshed by their owner.

An Announce of an Event by an actor one of ours follows (an instance, an
association) makes us fetch the Event from its own origin; the owner's
signed `Update{Event}` refreshes the counts; the owner's `Delete` removes it.
The home instance stays the authority: we only display what it says.

A copy keeps the Event's `published` as first stored (discover's "newest"
orders by it): a date that cannot be read, or before 2000, counts as absent
(the fetch time stands in), a later one than now is taken as now, and no
Update moves it, so an owner cannot lift its campaign to the top by editing it.

Its `pledgeOptions` (fedimob's extension: `{"type": "PledgeOption", "minutes": 60}`)
are what joining it from here offers, kept within our own campaigns' bounds;
an Event that names none (Mobilizon's, Friendica's) gets the default choices.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from activitypub.errors import ActivityPubError, InvalidDocument
from activitypub.ids import same_origin
from activitypub.vocab import has_type, read_datetime, read_id, require_ref
from fedimob.domain.campaign_input import MAX_PLEDGE_MINUTES, MAX_PLEDGE_OPTIONS
from fedimob.domain.search_text import search_text_of
from fedimob.domain.text import html_to_text, sanitise_html
from fedimob.federation.context import Federation
from fedimob.federation.hosts import host_of
from fedimob.models import Actor, Follow, FollowState, RemoteCampaign

log = logging.getLogger(__name__)
MAX_COUNT = 10**12
MAX_BREAKDOWN = 1000
EARLIEST_PUBLISHED = datetime(2000, 1, 1, tzinfo=UTC)  # older than ActivityPub: a wrong clock


def _count(doc: dict[str, Any], field: str) -> int:
    value = doc.get(field)
    return value if isinstance(value, int) and 0 <= value <= MAX_COUNT else 0


def _text(value: object, maximum: int) -> str:
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value[: maximum * 2] if ch >= " ")[:maximum]


def read_pledge_options(doc: dict[str, Any]) -> list[int] | None:
    """The Event's pledge options in minutes, sorted, or None when it names none we can
    offer. Options out of bounds are passed over; at most MAX_PLEDGE_OPTIONS are kept."""
    options = doc.get("pledgeOptions")
    if not isinstance(options, list):
        return None
    minutes = {
        option["minutes"]
        for option in options[: MAX_PLEDGE_OPTIONS * 10]
        if isinstance(option, dict)
        and type(option.get("minutes")) is int  # not a bool, not a float
        and 1 <= option["minutes"] <= MAX_PLEDGE_MINUTES
    }
    return sorted(minutes)[:MAX_PLEDGE_OPTIONS] or None


def _page(doc: dict[str, Any]) -> str:
    links = doc.get("url")
    for link in links if isinstance(links, list) else [links]:
        href = link.get("href") if isinstance(link, dict) else link
        if isinstance(href, str) and href.startswith(("https://", "http://")) and len(href) <= 2048:
            return href
    return ""


def _host(origin: str) -> str:
    return urlsplit(origin[:2048]).netloc.lower()


def read_published(doc: dict[str, Any], now: datetime) -> datetime | None:
    """The Event's `published`, at most `now`; None when absent, unreadable or implausible.

    A bad date never refuses the Event: it is only how we order it.
    """
    try:
        published = read_datetime(doc, "published")
        published = published.astimezone(UTC) if published is not None else None
    except (InvalidDocument, OverflowError):  # not a date; or beyond year 9999 once in UTC
        return None
    if published is None or published < EARLIEST_PUBLISHED:
        return None
    return min(published, now)


def read_remote_event(doc: dict[str, Any], federation: Federation) -> dict[str, Any]:
    """The fields we show of a remote campaign's Event; InvalidDocument if it is not one."""
    if not has_type(doc, "Event"):
        raise InvalidDocument("not an Event")
    event_id = read_id(doc)
    owner = require_ref(doc, "attributedTo").id
    if not same_origin(event_id, owner) or federation.urls.is_local(event_id):
        raise InvalidDocument("an Event must come from its owner's origin, not ours")
    # Instances are named by origin; compare hosts, so an instance served over
    # plain http (development) still finds itself.
    ours = federation.settings.domain
    breakdown = doc.get("instanceBreakdown")
    local = [
        row for row in breakdown[:MAX_BREAKDOWN]
        if isinstance(row, dict) and isinstance(row.get("instance"), str)
        and _host(row["instance"]) == ours
    ] if isinstance(breakdown, list) else []  # fmt: skip
    title = _text(doc.get("name"), 200) or event_id[:200]
    summary_html = sanitise_html(_text(doc.get("summary"), 5000))
    return {
        "owner_id": owner,
        "domain": host_of(event_id),
        "title": title,
        "summary_html": summary_html,
        "search_text": search_text_of([title, html_to_text(summary_html)]),
        "url": _page(doc),
        "deadline": read_datetime(doc, "deadline") or read_datetime(doc, "endTime"),
        "goal_kind": _text(doc.get("goalKind"), 16),
        "goal_target": _count(doc, "goalTarget"),
        "participants_count": _count(doc, "participantCount"),
        "pledged_minutes": _count(doc, "pledgedMinutes"),
        "local_participants": _count(local[0], "participantCount") if local else 0,
        "counted_at": read_datetime(doc, "countedAt"),
        "pledge_options": read_pledge_options(doc),
    }


async def store_remote_event(
    doc: dict[str, Any], federation: Federation, now: datetime
) -> RemoteCampaign:
    """Create or refresh our copy of a remote campaign from its Event."""
    values = read_remote_event(doc, federation)
    event_id = read_id(doc)
    row = await RemoteCampaign.get_or_none(ap_id=event_id)
    if row is None:
        published = read_published(doc, now) or now
        return await RemoteCampaign.create(
            ap_id=event_id, fetched_at=now, published_at=published, **values
        )
    if row.owner_id != values["owner_id"]:
        raise InvalidDocument("a campaign cannot change owner")
    counted_at = values["counted_at"]
    if row.counted_at is not None and (counted_at is None or counted_at < row.counted_at):
        return row  # an older document (Updates can arrive out of order): ours is newer
    if row.published_at is None:  # never so since migration 0005; kept for safety
        values["published_at"] = read_published(doc, now) or row.fetched_at
    await RemoteCampaign.filter(id=row.id).update(fetched_at=now, deleted_at=None, **values)
    return await RemoteCampaign.get(id=row.id)


async def followed_by_us(actor: Actor) -> bool:
    return await Follow.exists(
        followed_id=actor.id, follower__domain__isnull=True, state=FollowState.ACCEPTED
    )


async def mirror_announced(
    federation: Federation, announcer: Actor, object_id: str, now: datetime
) -> None:
    """An actor we follow shared something: if it is a campaign, fetch and show it."""
    if not await followed_by_us(announcer):
        return  # we follow nobody who said this: not ours to fetch
    try:
        document = await federation.fetch_object(object_id)
    except ActivityPubError as error:
        raise InvalidDocument(f"announced {object_id} could not be fetched: {error}") from None
    if has_type(document, "Event"):
        await store_remote_event(document, federation, now)


async def refresh_from_owner(
    federation: Federation, owner: Actor, doc: dict[str, Any], now: datetime
) -> bool:
    """An owner's Update of an Event we show; True if it was one."""
    if not has_type(doc, "Event"):
        return False
    row = await RemoteCampaign.get_or_none(ap_id=read_id(doc))
    if row is None or row.owner_id != owner.ap_id:
        return False
    await store_remote_event(doc, federation, now)
    return True


async def forget_deleted(owner: Actor, object_id: str, now: datetime) -> bool:
    updated = await RemoteCampaign.filter(ap_id=object_id, owner_id=owner.ap_id).update(
        deleted_at=now
    )
    return bool(updated)
