"""What anyone may see of one of our campaigns, besides its summary: news, who chose to be
listed, what the impact so far amounts to, and the campaigns a feed announces.

A draft is nobody's business but its organisers': every function here treats it
as missing. A cancelled or ended campaign stays public, showing what became of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fedimob.domain.names import lookup_name
from fedimob.errors import NotFound
from fedimob.models import (
    Campaign,
    CampaignState,
    CampaignUpdate,
    Participation,
    ParticipationState,
)

MAX_NEWS = 20
MAX_LISTED = 100
FEED_SIZE = 50
_PERSON_COLUMNS = (
    "participant__username",
    "participant__domain",
    "participant__display_name",
    "participant__url",
    "participant__ap_id",
)


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """A participant who chose to appear on the campaign's page."""

    name: str
    handle: str  # username for local people, user@domain for remote ones
    local: bool
    url: str  # their page here (local), or their profile (remote; "" if unusable)


@dataclass(frozen=True, slots=True)
class ImpactFigure:
    """The impact so far, converted: e.g. 2,400 g of CO2 avoided (0.3 g per e-mail deleted)."""

    quantity: str
    unit: str
    per_unit: float
    amount: float
    source: str
    source_url: str  # the source when it is an http(s) link, else ""


def _web_url(value: str) -> str:
    return value if value.startswith(("https://", "http://")) and len(value) <= 2048 else ""


async def public_campaign(slug: str) -> Campaign:
    """A campaign anyone may see, with its association loaded; NotFound for drafts too."""
    name = lookup_name(slug)
    campaign = (
        await Campaign.filter(slug=name).exclude(state=CampaignState.DRAFT)
        .select_related("association").first()
        if name
        else None
    )  # fmt: skip
    if campaign is None:
        raise NotFound(f"no campaign named {slug!r}")
    return campaign


async def campaign_news(campaign: Campaign, limit: int = MAX_NEWS) -> list[CampaignUpdate]:
    """The organisers' news posts, newest first."""
    return (
        await CampaignUpdate.filter(campaign_id=campaign.id)
        .order_by("-published_at", "-id")
        .limit(limit)
    )


async def listed_participants(campaign: Campaign, limit: int = MAX_LISTED) -> list[ListedPerson]:
    """Accepted participants who opted in to be listed, in the order they joined."""
    if campaign.participants_count == 0:
        return []  # nobody accepted, nobody listed: no need to ask
    rows = (
        await Participation.filter(
            campaign_id=campaign.id,
            state=ParticipationState.ACCEPTED,
            listed=True,
            participant__deleted_at__isnull=True,
        )
        .order_by("created_at", "id")
        .limit(limit)
        .values(*_PERSON_COLUMNS)
    )  # plain values: an actor row carries its keys, which a public list has no use for
    people = []
    for row in rows:
        username = row["participant__username"]
        domain = row["participant__domain"]
        name = row["participant__display_name"] or username
        if domain is None:
            people.append(ListedPerson(name, username, local=True, url=f"/users/{username}"))
        else:
            url = _web_url(row["participant__url"] or row["participant__ap_id"] or "")
            people.append(ListedPerson(name, f"{username}@{domain}", local=False, url=url))
    return people


def impact_figures(campaign: Campaign) -> list[ImpactFigure]:
    """Each conversion of the campaign applied to its impact so far."""
    total = Decimal(campaign.impact_total)
    figures = []
    for item in campaign.conversions or ():
        per_unit = item.get("per_unit")
        if not isinstance(per_unit, int | float) or isinstance(per_unit, bool):
            continue
        source = str(item.get("source") or "")
        figures.append(
            ImpactFigure(
                quantity=str(item.get("quantity") or ""),
                unit=str(item.get("unit") or ""),
                per_unit=float(per_unit),
                amount=float(total * Decimal(str(per_unit))),
                source=source,
                source_url=_web_url(source),
            )
        )
    return figures


async def feed_campaigns(limit: int | None = None) -> list[Campaign]:
    """The latest campaigns published (cancelled and ended ones too), newest first."""
    return (
        await Campaign.filter(published_at__isnull=False)
        .exclude(state=CampaignState.DRAFT)
        .select_related("association")
        .order_by("-published_at", "-id")
        .limit(limit or FEED_SIZE)
    )
