"""Builders for the discover, campaign page and feed tests.

`fast_keys(monkeypatch)` spares the ~50 ms RSA key of each campaign (these tests
make dozens and sign nothing); `remote_campaign()` stores another instance's
campaign as federation would have.
"""

from __future__ import annotations

from datetime import timedelta
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
