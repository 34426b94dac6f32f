"""Discovery: the `/` page, which browses running campaigns here and on followed instances.

Filters are plain GET parameters, so every filtered or paged list has a link
to share and works without JavaScript:

    /?q=river&kind=physical&category=nature&place=nantes&order=newest&page=2

Unknown values are ignored and text is capped (see `fedimob.domain.catalogue`).
`routes()` also gathers the campaign pages and feeds (web/campaign_page.py,
web/feeds.py), the order mattering: `/campaigns/{slug}.ics` before
`/campaigns/{slug}`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedimob.clock import utcnow
from fedimob.domain.catalogue import (
    MAX_CATEGORY,
    MAX_TEXT,
    CatalogueQuery,
    Order,
    browse,
    catalogue_query,
    categories_in_use,
    recently_ended,
)
from fedimob.models import CampaignKind
from web import campaign_page, feeds
from web.templating import render
from web.volunteer import remote_actions


def query_of(request: Request) -> CatalogueQuery:
    params = request.query_params
    return catalogue_query(
        text=params.get("q"),
        kind=params.get("kind"),
        category=params.get("category"),
        place=params.get("place"),
        order=params.get("order"),
        page=params.get("page"),
    )


def link_to(query: CatalogueQuery, page: int) -> str:
    """The discover page's path for `query` at `page`, defaults left out."""
    params = {
        "q": query.text,
        "kind": query.kind.value if query.kind else "",
        "category": query.category,
        "place": query.place,
        "order": query.order.value if query.order != Order.ENDING else "",
        "page": str(page) if page > 1 else "",
    }
    encoded = urlencode({name: value for name, value in params.items() if value})
    return f"/?{encoded}" if encoded else "/"


async def index(request: Request) -> Response:
    query = query_of(request)
    page = await browse(query)
    first_view = not query.filtered and query.page == 1
    return await render(
        request,
        "index.html",
        {
            "query": query,
            "page": page,
            "categories": (
                page.every_category
                if page.every_category is not None
                else await categories_in_use()
            ),
            "ended": await recently_ended() if first_view else [],
            "kinds": [kind.value for kind in CampaignKind],
            "orders": [order.value for order in Order],
            "previous_url": link_to(query, page.page - 1) if page.has_previous else None,
            "next_url": link_to(query, page.page + 1) if page.has_next else None,
            "first_url": link_to(query, 1),
            "max_text": MAX_TEXT,
            "max_category": MAX_CATEGORY,
            "now": utcnow(),
            # The join buttons of other instances' campaigns.
            **(await remote_actions(request) if any(c.remote for c in page.cards) else {}),
        },
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/", index, name="index"),
        *feeds.routes(),
        *campaign_page.routes(),
    ]
