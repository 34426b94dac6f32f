"""The pages baseline for bench_pages.py: a Jinja2 page on Starlette, data in memory.

    .venv/bin/python bench/pages_baseline.py --port P [--discover-bytes N] [--campaign-bytes M]

One uvicorn process with the settings `fedimob serve` uses (the same `uvicorn.Config`:
httptools, proxy headers, no server header, no access log), served by `Server.serve()` on a
uvloop event loop, as fedimob's CLI runs it. Two routes shaped like fedimob's pages:

- ``/``: a layout (header, main, footer, style sheet link) around a list of campaign cards
  (title link, meta line with a formatted date, summary, progress bar, figures);
- ``/campaigns/{slug}``: the layout around one campaign (title, meta, state, progress bar,
  description, details, milestones).

Rendered by `starlette.templating.Jinja2Templates` (autoescape on, `url_for` in the
context), as fedimob renders, from plain dicts built once at start-up: no database, no
session, no middleware. The number of cards and of description paragraphs is chosen at
start-up so that each page weighs at least the bytes given (bench_pages.py passes the size
of fedimob's pages), so the two render and send pages of about the same size.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import jinja2
import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}baseline{% endblock %}</title>
  <link rel="stylesheet" href="{{ url_for('static', path='style.css').path }}">
</head>
<body>
  <header class="site"><a class="brand" href="{{ url_for('index').path }}">baseline</a>
    <span class="tagline">Give time, together: campaigns on the Fediverse</span></header>
  <main id="main">{% block main %}{% endblock %}</main>
  <footer class="site"><p>{{ domain }} · a crowdtiming server</p></footer>
</body>
</html>
""",
    "_progress.html": """{% set pct = c.percent if c.percent < 100 else 100 %}
<progress max="100" value="{{ pct }}" aria-label="{{ c.percent }}% of the goal">{{ c.percent }}%</progress>
<p class="figures"><strong>{{ c.participants|number }}</strong> of {{ c.goal|number }} people · {{ c.percent }}%</p>
""",  # noqa: E501 - template text
    "index.html": """{% extends "base.html" %}
{% block main %}
<h1>Campaigns</h1>
<section aria-labelledby="running"><h2 id="running">Running now</h2>
<ul class="cards">
{% for c in cards %}
  <li class="card">
    <h3><a href="{{ url_for('campaign', slug=c.slug).path }}">{{ c.title }}</a></h3>
    <p class="meta">{{ c.kind }} · by @{{ c.association }} · ends {{ c.deadline|when }}</p>
    <p>{{ c.summary }}</p>
    {% include "_progress.html" %}
  </li>
{% endfor %}
</ul></section>
{% endblock %}
""",
    "campaign.html": """{% extends "base.html" %}
{% block title %}{{ c.title }} · baseline{% endblock %}
{% block main %}
<article class="campaign">
  <h1>{{ c.title }}</h1>
  <p class="meta">{{ c.kind }} action by <a href="/associations/{{ c.association }}">@{{ c.association }}</a> · <code>@{{ c.slug }}@{{ domain }}</code></p>
  <p class="state">Open until {{ c.deadline|when }}</p>
  {% include "_progress.html" %}
  <p>{{ c.summary }}</p>
  <div class="description">{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</div>
  <p><strong>Where:</strong> {{ c.address }}</p>
  <p><strong>Pledges:</strong> {% for p in c.pledges %}{{ p }} min{% if not loop.last %}, {% endif %}{% endfor %}</p>
  <h2>Milestones</h2>
  <ul>{% for m in c.milestones %}<li>{{ m.percent }}% on {{ m.reached_at|when }}</li>{% endfor %}</ul>
</article>
{% endblock %}
""",  # noqa: E501 - template text
}


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def when(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %b %Y, %H:%M UTC")


def card(index: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "slug": f"campaign_{index}",
        "title": f"River clean-up number {index} on Saturday",
        "kind": "physical",
        "association": "amis_de_la_loire",
        "deadline": (now + timedelta(days=5 + index)).isoformat(),
        "summary": "Three hours on the banks of the Loire to collect litter before winter.",
        "participants": 14 + index,
        "goal": 40,
        "percent": 35,
        "address": "Quai de la Fosse, Nantes",
        "pledges": [60, 120, 180],
        "milestones": [{"percent": 25, "reached_at": (now - timedelta(days=2)).isoformat()}],
    }


def create_app(discover_bytes: int, campaign_bytes: int, domain: str) -> Starlette:
    environment = jinja2.Environment(
        loader=jinja2.DictLoader(TEMPLATES), autoescape=jinja2.select_autoescape()
    )
    templates = Jinja2Templates(env=environment)
    environment.filters.update(number=number, when=when)
    cards = [card(0)]
    paragraphs = ["Gloves and bags provided. Meet at the footbridge by the river."]

    async def index(request: Request) -> Response:
        context = {"cards": cards, "domain": domain}
        return templates.TemplateResponse(request, "index.html", context)

    async def campaign(request: Request) -> Response:
        slug = request.path_params["slug"]
        context = {"c": cards[0] | {"slug": slug}, "paragraphs": paragraphs, "domain": domain}
        return templates.TemplateResponse(request, "campaign.html", context)

    async def static(request: Request) -> Response:
        return Response("", media_type="text/css")

    app = Starlette(
        routes=[
            Route("/", index, name="index"),
            Route("/campaigns/{slug:str}", campaign, name="campaign"),
            Route("/static/{path:path}", static, name="static"),
        ]
    )

    def size(template: str, context: dict[str, Any]) -> int:
        scope = {
            "type": "http", "app": app, "router": app.router, "path": "/", "root_path": "",
            "scheme": "http", "server": ("127.0.0.1", 80), "query_string": b"", "headers": [],
        }  # fmt: skip
        context = {"request": Request(scope)} | context  # url_for needs the request
        return len(environment.get_template(template).render(context).encode())

    while size("index.html", {"cards": cards, "domain": domain}) < discover_bytes:
        cards.append(card(len(cards)))
    while (
        size("campaign.html", {"c": cards[0], "paragraphs": paragraphs, "domain": domain})
        < campaign_bytes
        and len(paragraphs) < 10_000
    ):
        paragraphs.append(f"Paragraph {len(paragraphs)}: bring water, a hat and good shoes.")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--discover-bytes", type=int, default=0, help="weight of / at least")
    parser.add_argument("--campaign-bytes", type=int, default=0, help="weight of a campaign")
    args = parser.parse_args()
    app = create_app(args.discover_bytes, args.campaign_bytes, f"127.0.0.1:{args.port}")
    config = uvicorn.Config(  # what `fedimob serve` passes
        app,
        host="127.0.0.1",
        port=args.port,
        proxy_headers=True,
        server_header=False,
        access_log=False,
        log_level="info",
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # as fedimob's CLI
        runner.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
