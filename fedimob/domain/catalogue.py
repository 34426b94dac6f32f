"""The catalogue the discover page browses: running campaigns, ours and other instances'.

A `CatalogueQuery` (free text, kind, category, place, order, page) gives one
`CataloguePage` of `CampaignCard`s, this instance's campaigns and the copies of
followed instances' campaigns (`RemoteCampaign`) merged in one order:

- "ending": the nearest deadline first, in both tables;
- "newest": the latest published first, ours by when we published them, remote
  copies by their Event's `published` (see `fedimob.federation.mirrors`).

Free text is folded (`fedimob.domain.search_text`) and each of its words looked
for in the `search_text` column both tables keep, so "ecole" finds "École" on
SQLite and PostgreSQL alike, and `%` or `_` are only themselves.
Remote copies know neither kind, categories nor place, so a query filtering on
any of them lists ours only. Every value of a query is normalised by
`catalogue_query()`, so hostile input (megabytes, control characters, pages far
beyond the end) costs no more than a normal page: text is capped, pages are
bounded, and a page reads at most two queries of rows (one per table), or on
later pages two of (key, id) pairs first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from fedimob.clock import utcnow
from fedimob.domain.progress import progress_of
from fedimob.domain.search_text import query_terms
from fedimob.domain.summaries import campaign_path
from fedimob.models import Campaign, CampaignKind, CampaignState, GoalKind, RemoteCampaign

PER_PAGE = 12
MAX_PAGE = 100  # deeper than this, search or filter
MAX_TEXT = 100  # search and place
MAX_CATEGORY = 50  # as campaign_input keeps them
MAX_CATEGORIES_READ = 500  # open campaigns whose categories make the filter's choices
RECENTLY_ENDED = 6
# The categories column as text on both databases (SQLite keeps JSON as text already;
# PostgreSQL's jsonb prints as JSON), for a portable "list contains this string".
_CATEGORIES_TEXT = 'CAST("campaign"."categories" AS TEXT)'
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WEB = ("https://", "http://")
_GOAL_KINDS = frozenset(GoalKind)


class Order(StrEnum):
    ENDING = "ending"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """What a visitor asks the catalogue for; build it with `catalogue_query()`."""

    text: str = ""
    kind: CampaignKind | None = None
    category: str = ""
    place: str = ""
    order: Order = Order.ENDING
    page: int = 1

    @property
    def terms(self) -> list[str]:
        """The folded words of the text, each of which a campaign must contain."""
        return query_terms(self.text)

    @property
    def filtered(self) -> bool:
        """True when something narrows the list (the order and page do not)."""
        return bool(self.text or self.kind or self.category or self.place)

    @property
    def ours_only(self) -> bool:
        """Remote copies cannot match a filter on what they do not know."""
        return bool(self.kind or self.category or self.place)


@dataclass(frozen=True, slots=True)
class CampaignCard:
    """One campaign as a list shows it. `slug` is None for another instance's campaign."""

    title: str
    url: str  # a local path, or the remote campaign's own page
    slug: str | None
    domain: str | None  # the other instance, for remote campaigns
    association: str | None  # our association's username
    summary: str
    kind: str | None
    categories: tuple[str, ...]
    place: str
    region: str
    goal_kind: str
    goal: int
    progress: int | float | None  # in the goal's unit; None when a remote copy cannot tell
    progress_percent: int | None
    participants: int
    impact_unit: str
    pledged_minutes: int
    deadline: datetime | None
    starts_at: datetime | None
    state: str
    outcome: str | None
    ap_id: str | None = None  # a remote campaign's Event, which joining it names
    # What joining a remote campaign from here offers, in minutes (empty: the defaults).
    pledge_options: tuple[int, ...] = ()

    @property
    def remote(self) -> bool:
        return self.slug is None


@dataclass(frozen=True, slots=True)
class CataloguePage:
    cards: list[CampaignCard]
    page: int
    has_previous: bool
    has_next: bool
    # The categories of every running campaign of ours, when this page happened to read
    # them all (the first page of an unfiltered list that fits in it); else None.
    every_category: list[str] | None = None


def _clean(value: str | None, maximum: int) -> str:
    """Trimmed, without control characters, one space between words, at most `maximum`."""
    if not value:
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value[: maximum * 4])
    return " ".join(text.split())[:maximum].strip()


def catalogue_query(
    *,
    text: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    place: str | None = None,
    order: str | None = None,
    page: str | int | None = None,
) -> CatalogueQuery:
    """A query from what a visitor typed: unknown values are ignored, text is capped,
    the page is a whole number between 1 and MAX_PAGE."""
    number = 1
    if isinstance(page, int):
        number = page
    elif page and page.strip().isascii() and page.strip().isdigit():
        digits = page.strip()
        number = int(digits) if len(digits) <= 6 else MAX_PAGE  # never parse a huge number
    kinds = {k.value: k for k in CampaignKind}
    orders = {o.value: o for o in Order}
    return CatalogueQuery(
        text=_clean(text, MAX_TEXT),
        kind=kinds.get(kind or ""),
        category=_clean(category, MAX_CATEGORY).lower(),
        place=_clean(place, MAX_TEXT),
        order=orders.get(order or "", Order.ENDING),
        page=min(max(number, 1), MAX_PAGE),
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# The columns a card shows: lists read these as plain values, not whole models (a
# campaign's description alone may weigh 100 kB, and models cost time to build).
OUR_COLUMNS = (
    "id", "slug", "title", "summary", "kind", "categories", "address", "goal_kind",
    "goal_target", "impact_unit", "participants_count", "pledged_minutes", "impact_total",
    "deadline", "starts_at", "published_at", "state", "outcome",
    "association__username", "association__region",
)  # fmt: skip
THEIR_COLUMNS = (
    "id", "ap_id", "url", "domain", "title", "goal_kind", "goal_target", "participants_count",
    "pledged_minutes", "deadline", "published_at", "pledge_options",
)  # fmt: skip
Row = dict[str, Any]


def card_of_ours(row: Row) -> CampaignCard:
    """The card of one of our campaigns, from its OUR_COLUMNS."""
    kind = str(row["kind"])
    progress = progress_of(
        row["goal_kind"],
        participants=row["participants_count"],
        pledged_minutes=row["pledged_minutes"],
        impact_total=row["impact_total"],
    )
    goal = row["goal_target"]
    return CampaignCard(
        title=row["title"],
        url=campaign_path(row["slug"]),
        slug=row["slug"],
        domain=None,
        association=row["association__username"],
        summary=row["summary"],
        kind=kind,
        categories=tuple(row["categories"] or ()),
        place=row["address"] if kind == CampaignKind.PHYSICAL else "",
        region=row["association__region"],
        goal_kind=str(row["goal_kind"]),
        goal=goal,
        progress=_number(progress),
        progress_percent=int(progress * 100 / goal) if goal > 0 else 0,
        participants=row["participants_count"],
        impact_unit=row["impact_unit"],
        pledged_minutes=row["pledged_minutes"],
        deadline=row["deadline"],
        starts_at=row["starts_at"],
        state=str(row["state"]),
        outcome=str(row["outcome"]) if row["outcome"] else None,
    )


def card_of_campaign(campaign: Campaign) -> CampaignCard:
    """The card of one campaign already loaded, with its association (`public_campaign`)."""
    association = campaign.association
    return card_of_ours(
        {
            **{column: getattr(campaign, column) for column in OUR_COLUMNS if "__" not in column},
            "association__username": association.username,
            "association__region": association.region,
        }
    )


def card_of_theirs(row: Row) -> CampaignCard:
    """The card of another instance's campaign, from what its Event told us (THEIR_COLUMNS)."""
    goal_kind, goal = row["goal_kind"], row["goal_target"]
    progress: int | float | None = None
    if goal_kind == GoalKind.PARTICIPANTS:
        progress = row["participants_count"]
    elif goal_kind == GoalKind.HOURS:
        progress = _number(Decimal(row["pledged_minutes"]) / 60)
    percent = int(progress * 100 / goal) if progress is not None and goal > 0 else None
    links = [link for link in (row["url"], row["ap_id"]) if link.startswith(_WEB)]
    return CampaignCard(
        title=row["title"],
        url=links[0] if links else "",
        slug=None,
        domain=row["domain"],
        association=None,
        summary="",
        kind=None,
        categories=(),
        place="",
        region="",
        goal_kind=goal_kind if goal_kind in _GOAL_KINDS else "",
        goal=goal,
        progress=progress,
        progress_percent=percent,
        participants=row["participants_count"],
        impact_unit="",
        pledged_minutes=row["pledged_minutes"],
        deadline=row["deadline"],
        starts_at=None,
        state=str(CampaignState.PUBLISHED),
        outcome=None,
        ap_id=row["ap_id"],
        pledge_options=tuple(row["pledge_options"] or ()),
    )


def _ours(query: CatalogueQuery) -> QuerySet[Campaign]:
    rows = Campaign.filter(state=CampaignState.PUBLISHED)
    if query.kind:
        rows = rows.filter(kind=query.kind)
    if query.category:
        needle = orjson.dumps(query.category).decode()  # as the column stores it: "name"
        rows = rows.annotate(categories_text=RawSQL(_CATEGORIES_TEXT)).filter(
            categories_text__contains=needle
        )
    if query.place:
        rows = rows.filter(
            Q(address__icontains=query.place) | Q(association__region__icontains=query.place)
        )
    for term in query.terms:
        rows = rows.filter(search_text__contains=term)
    if query.order == Order.NEWEST:
        return rows.order_by("-published_at", "-id")
    return rows.order_by("deadline", "id")


def _theirs(query: CatalogueQuery, now: datetime) -> QuerySet[RemoteCampaign]:
    rows = RemoteCampaign.filter(deleted_at__isnull=True, deadline__gt=now)
    for term in query.terms:
        rows = rows.filter(search_text__contains=term)
    if query.order == Order.NEWEST:
        return rows.order_by("-published_at", "-id")
    return rows.order_by("deadline", "id")


# A place in the merged order: (sort moment, 0 for ours / 1 for theirs, id).
Key = tuple[datetime, int, int]


def _merged(query: CatalogueQuery, ours: Iterable[Key], theirs: Iterable[Key]) -> list[Key]:
    if query.order == Order.NEWEST:
        # Latest first; on a tie, ours first, then the highest id (as the queries order).
        return sorted([*ours, *theirs], key=lambda k: (-k[0].timestamp(), k[1], -k[2]))
    return sorted([*ours, *theirs])


async def browse(query: CatalogueQuery, *, now: datetime | None = None) -> CataloguePage:
    """One page of running campaigns matching `query`, ours and remote ones merged."""
    now = now or utcnow()
    offset = (query.page - 1) * PER_PAGE
    window = offset + PER_PAGE + 1  # one more tells whether a next page exists
    ours_query = _ours(query)
    theirs_query = None if query.ours_only else _theirs(query, now)
    # Both tables name their sort moments alike: publication for "newest", else deadline.
    field = "published_at" if query.order == Order.NEWEST else "deadline"
    if offset == 0:
        # The first page (nearly every visit): the rows themselves, no keys first.
        our_rows = {r["id"]: r for r in await ours_query.limit(window).values(*OUR_COLUMNS)}
        their_rows = (
            {r["id"]: r for r in await theirs_query.limit(window).values(*THEIR_COLUMNS)}
            if theirs_query
            else {}
        )
        keys = _merged(
            query,
            [(r[field] or _EPOCH, 0, r["id"]) for r in our_rows.values()],
            [(r[field] or _EPOCH, 1, r["id"]) for r in their_rows.values()],
        )[:window]
    else:
        our_keys = await ours_query.limit(window).values_list(field, "id")
        their_keys = (
            await theirs_query.limit(window).values_list(field, "id") if theirs_query else []
        )
        keys = _merged(
            query,
            [(moment or _EPOCH, 0, row_id) for moment, row_id in our_keys],
            [(moment or _EPOCH, 1, row_id) for moment, row_id in their_keys],
        )[offset : offset + PER_PAGE + 1]
        our_ids = [k[2] for k in keys[:PER_PAGE] if k[1] == 0]
        their_ids = [k[2] for k in keys[:PER_PAGE] if k[1] == 1]
        our_rows = (
            {r["id"]: r for r in await Campaign.filter(id__in=our_ids).values(*OUR_COLUMNS)}
            if our_ids
            else {}
        )
        their_rows = (
            {
                r["id"]: r
                for r in await RemoteCampaign.filter(id__in=their_ids).values(*THEIR_COLUMNS)
            }
            if their_ids
            else {}
        )
    cards = [
        card_of_ours(our_rows[row_id]) if source == 0 else card_of_theirs(their_rows[row_id])
        for _moment, source, row_id in keys[:PER_PAGE]
        if row_id in (our_rows if source == 0 else their_rows)
    ]
    every_category = None
    if offset == 0 and not query.filtered and len(our_rows) < window:
        every_category = _sorted_names(row["categories"] for row in our_rows.values())
    return CataloguePage(
        cards=cards,
        page=query.page,
        has_previous=query.page > 1,
        has_next=len(keys) > PER_PAGE and query.page < MAX_PAGE,
        every_category=every_category,
    )


def _sorted_names(lists: Iterable[Any]) -> list[str]:
    return sorted({name for names in lists for name in names or () if isinstance(name, str)})


async def categories_in_use() -> list[str]:
    """The categories of the running campaigns (the nearest deadlines first, bounded)."""
    lists: list[Any] = (
        await Campaign.filter(state=CampaignState.PUBLISHED)
        .order_by("deadline")
        .limit(MAX_CATEGORIES_READ)
        .values_list("categories", flat=True)
    )
    return _sorted_names(lists)


async def recently_ended(limit: int = RECENTLY_ENDED) -> list[CampaignCard]:
    """Our latest ended campaigns, with their outcome."""
    rows = (
        await Campaign.filter(state=CampaignState.ENDED)
        .order_by("-deadline", "-id")
        .limit(limit)
        .values(*OUR_COLUMNS)
    )
    return [card_of_ours(row) for row in rows]
