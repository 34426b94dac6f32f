"""The organisers' pages, under /dashboard: campaigns, participants, members.

Every page here is for the members of the association concerned (see
`web.organiser.access`); the rules themselves live in fedimob.domain.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.organiser import campaigns, dashboard, members, participants


def routes() -> list[BaseRoute]:
    return [
        *dashboard.routes(),
        *campaigns.routes(),
        *participants.routes(),
        *members.routes(),
    ]
