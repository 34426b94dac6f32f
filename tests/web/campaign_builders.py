"""Builders for the discover, campaign page and feed tests.

`fast_keys(monkeypatch)` spares the ~50 ms RSA key of each campaign (these tests
make dozens and sign nothing); `remote_campaign()` stores another instance's
campaign as federation would have; `valid_form()` fills in the organiser's
new-campaign form (posted to NEW).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from functools import cache
from itertools import count
from typing import Any

import pytest

from fedimob.clock import utcnow
from fedimob.domain import actors, campaigns
from fedimob.domain.search_text import search_text_of
from fedimob.domain.text import html_to_text
from fedimob.models import RemoteCampaign

_numbers = count(1)


@cache
def _one_key_pair() -> tuple[str, str]:
    return actors._new_key_pems()


def fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    async def same_keys() -> tuple[str, str]:
        return _one_key_pair()

    monkeypatch.setattr(campaigns, "new_key_pems", same_keys)


async def remote_campaign(**fields: Any) -> RemoteCampaign:
    number = next(_numbers)
    now = utcnow()
    values: dict[str, Any] = {
        "ap_id": f"https://other.example/campaigns/remote{number}/event",
        "owner_id": f"https://other.example/campaigns/remote{number}",
        "domain": "other.example",
        "title": f"Remote campaign {number}",
        "url": f"https://other.example/campaigns/remote{number}",
        "deadline": now + timedelta(days=3),
        "goal_kind": "participants",
        "goal_target": 10,
        "participants_count": 5,
        "fetched_at": now,
        "published_at": now,
    }
    values.update(fields)
    # Its folded words, as federation stores them (fedimob.federation.mirrors).
    values.setdefault(
        "search_text",
        search_text_of([values["title"], html_to_text(values.get("summary_html", ""))]),
    )
    return await RemoteCampaign.create(**values)


NEW = "/dashboard/campaigns/new?association=amis"


def form_moment(delta: timedelta) -> str:
    """A moment `delta` from now as the campaign form takes it (UTC: the default zone)."""
    return (utcnow() + delta).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def valid_form(**changes: str) -> dict[str, str]:
    """Every field of the organiser's new-campaign form, filled in right, then `changes`."""
    form = {
        "title": "River clean-up",
        "slug": "river_cleanup",
        "summary": "Pick up litter along the Loire.",
        "description": "Bring **gloves**.\n\n- bags\n- water",
        "categories": "environment, Rivers",
        "language": "fr",
        "kind": "physical",
        "address": "Quai de la Fosse, Nantes",
        "latitude": "47.2125",
        "longitude": "-1.5561",
        "starts_at": form_moment(timedelta(days=20)),
        "ends_at": form_moment(timedelta(days=20, hours=3)),
        "instructions_url": "",
        "goal_kind": "impact",
        "goal_target": "500",
        "impact_unit": "kg of litter",
        "conversion-0-quantity": "CO2 avoided",
        "conversion-0-unit": "kg",
        "conversion-0-per_unit": "0,5",
        "conversion-0-source": "https://example.org/study",
        "conversion-1-quantity": "",
        "conversion-1-unit": "",
        "conversion-1-per_unit": "",
        "conversion-1-source": "",
        "pledge_options": "60, 180",
        "capacity": "60",
        "join_mode": "approval",
        "deadline": form_moment(timedelta(days=15)),
        "action": "save",
    }
    form.update(changes)
    return form
