"""Copies of other instances' campaigns: their publication date and their search text.

The Event's `published` orders discover's "newest"; whatever a remote server
puts there (nothing, garbage, the far future, year 99999), the Event is still
shown, and no Update moves the date it was first stored with.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fedimob.db import Database
from fedimob.domain.catalogue import browse, catalogue_query
from fedimob.federation.context import Federation
from fedimob.federation.mirrors import refresh_from_owner, store_remote_event
from fedimob.models import Actor, ActorKind, RemoteCampaign

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENT = "https://south.example/campaigns/c/event"


def event(published: Any = None, *, counted_at: str | None = None, **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": EVENT, "type": "Event", "attributedTo": "https://south.example/campaigns/c",
        "name": "Nettoyage de l'Étang", "summary": "<p>Avec l'<b>École</b> des Plantes</p>",
        "deadline": "2026-07-01T00:00:00Z", "goalKind": "participants", "goalTarget": 10,
    }  # fmt: skip
    if published is not None:
        document["published"] = published
    if counted_at is not None:
        document["countedAt"] = counted_at
    document.update(fields)
    return document


async def campaign_actor() -> Actor:
    """The remote campaign's actor, the Event's owner, as a verified signature left it."""
    return await Actor.create(
        ap_id="https://south.example/campaigns/c", username="c", domain="south.example",
        kind=ActorKind.GROUP,
    )  # fmt: skip


async def test_the_events_published_date_is_kept(db: Database, federation: Federation) -> None:
    row = await store_remote_event(event("2026-05-20T08:30:00+02:00"), federation, NOW)
    assert row.published_at == datetime(2026, 5, 20, 6, 30, tzinfo=UTC)
    assert row.fetched_at == NOW
    stored = await RemoteCampaign.get(ap_id=EVENT)
    assert stored.published_at == datetime(2026, 5, 20, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "published",
    [
        None,  # absent
        "",
        "yesterday",
        "99999-01-01T00:00:00Z",  # beyond what a date can be
        "9999-12-31T23:59:59-12:00",  # a date, but past year 9999 once in UTC
        "0001-01-01T00:00:00+14:00",  # and before year 1
        "1970-01-01T00:00:00Z",  # readable, not plausible for a campaign
        "2026-05-20T08:30:00Z" * 10_000,  # huge
        12345,
        ["2026-05-20T08:30:00Z"],
        {"@value": "2026-05-20T08:30:00Z"},
        True,
    ],
)
async def test_an_unusable_published_falls_back_to_the_fetch_time(
    db: Database, federation: Federation, published: Any
) -> None:
    row = await store_remote_event(event(published), federation, NOW)
    assert row.published_at == NOW
    assert row.title == "Nettoyage de l'Étang"  # the campaign is shown all the same


async def test_a_published_date_in_the_future_is_taken_as_now(
    db: Database, federation: Federation
) -> None:
    row = await store_remote_event(event("2030-01-01T00:00:00Z"), federation, NOW)
    assert row.published_at == NOW
    soon = NOW + timedelta(seconds=30)  # a clock a little ahead
    other = event(soon.isoformat(), id="https://south.example/campaigns/d/event")
    row = await store_remote_event(other, federation, NOW)
    assert row.published_at == NOW


async def test_an_update_does_not_move_the_publication_date(
    db: Database, federation: Federation
) -> None:
    first = event("2026-05-20T08:30:00Z", counted_at="2026-05-20T08:30:00Z")
    await store_remote_event(first, federation, NOW - timedelta(days=10))
    owner = await campaign_actor()

    later = event(
        "2026-05-31T00:00:00Z",  # a newer date: it would lift the campaign to the top
        counted_at="2026-05-31T00:00:00Z",
        participantCount=4,
    )
    assert await refresh_from_owner(federation, owner, later, NOW)
    row = await RemoteCampaign.get(ap_id=EVENT)
    assert row.participants_count == 4  # the Update was applied...
    assert row.published_at == datetime(2026, 5, 20, 8, 30, tzinfo=UTC)  # ...not to this
    assert row.fetched_at == NOW

    earlier = event("2026-01-01T00:00:00Z", counted_at="2026-06-01T00:00:00Z")
    missing = event(counted_at="2026-06-01T00:00:01Z")
    for document in (earlier, missing):
        assert await refresh_from_owner(federation, owner, document, NOW)
        row = await RemoteCampaign.get(ap_id=EVENT)
        assert row.published_at == datetime(2026, 5, 20, 8, 30, tzinfo=UTC)


async def test_the_copy_is_searchable_folded(db: Database, federation: Federation) -> None:
    row = await store_remote_event(event("2026-05-20T08:30:00Z"), federation, NOW)
    assert row.search_text == "nettoyage de l'etang\navec l'ecole des plantes"
    for typed in ("ETANG", "étang", "ecole", "École des"):
        page = await browse(catalogue_query(text=typed), now=NOW)
        assert [card.title for card in page.cards] == ["Nettoyage de l'Étang"], typed
    page = await browse(catalogue_query(text="<b>"), now=NOW)  # markup is not text
    assert page.cards == []


async def test_an_update_refreshes_the_search_text(db: Database, federation: Federation) -> None:
    await store_remote_event(event(counted_at="2026-05-20T08:30:00Z"), federation, NOW)
    owner = await campaign_actor()
    renamed = event(counted_at="2026-05-21T08:30:00Z", name="Forêt propre", summary="")
    assert await refresh_from_owner(federation, owner, renamed, NOW)
    row = await RemoteCampaign.get(ap_id=EVENT)
    assert row.search_text == "foret propre"
    assert (await browse(catalogue_query(text="etang"), now=NOW)).cards == []
    assert len((await browse(catalogue_query(text="foret"), now=NOW)).cards) == 1


def option(minutes: object) -> dict[str, object]:
    return {"type": "PledgeOption", "name": f"{minutes} min", "minutes": minutes}


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ([option(180), option(60), option(60)], [60, 180]),  # fedimob's shape, sorted, once each
        (None, None),  # Mobilizon's and Friendica's Events name none
        ([], None),
        ("60", None),
        ({"minutes": 60}, None),
        ([60, "60", None, ["60"]], None),  # bare values are not options
        ([option(True), option(60.0), option("60"), option(None)], None),
        ([option(0), option(-30), option(7 * 24 * 60 + 1), option(10**100)], None),
        ([option(30), option(10**100)], [30]),  # what is out of bounds is passed over
        ([option(n) for n in range(1, 100_001)], list(range(1, 11))),  # at most 10, read cheaply
    ],
)
async def test_the_copy_keeps_the_pledge_options_it_can_offer(
    db: Database, federation: Federation, options: object, kept: list[int] | None
) -> None:
    fields = {} if options is None else {"pledgeOptions": options}
    row = await store_remote_event(event(**fields), federation, NOW)
    assert (await RemoteCampaign.get(id=row.id)).pledge_options == kept
    [card] = (await browse(catalogue_query(), now=NOW)).cards
    assert card.pledge_options == tuple(kept or ())


async def test_an_update_changes_the_pledge_options(db: Database, federation: Federation) -> None:
    stored = event(counted_at="2026-05-20T08:30:00Z", pledgeOptions=[option(60)])
    await store_remote_event(stored, federation, NOW)
    owner = await campaign_actor()
    updated = event(counted_at="2026-05-21T08:30:00Z", pledgeOptions=[option(120), option(240)])
    assert await refresh_from_owner(federation, owner, updated, NOW)
    assert (await RemoteCampaign.get(ap_id=EVENT)).pledge_options == [120, 240]
