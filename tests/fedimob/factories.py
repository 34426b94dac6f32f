"""Small builders for domain objects in tests (real services, real database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from fedimob.clock import utcnow
from fedimob.domain.accounts import create_account
from fedimob.domain.associations import create_association
from fedimob.domain.campaign_input import CampaignInput
from fedimob.domain.campaigns import create_campaign
from fedimob.models import Account, Actor, Association, Campaign, GoalKind

_numbers = count(1)


async def make_account(username: str | None = None, **extra: Any) -> Account:
    name = username or f"person{next(_numbers)}"
    return await create_account(
        username=name, email=f"{name}@example.org", password=extra.pop("password", None), **extra
    )


async def make_actor(username: str | None = None) -> Actor:
    account = await make_account(username)
    return await account.actor


async def make_association(
    owner: Account | None = None, username: str | None = None
) -> Association:
    return await create_association(
        username=username or f"assoc{next(_numbers)}",
        name="Test association",
        owner=owner or await make_account(),
    )


async def make_campaign(
    association: Association | None = None,
    *,
    publish: bool = True,
    now: datetime | None = None,
    **fields: Any,
) -> Campaign:
    now = now or utcnow()
    values: dict[str, Any] = {
        "slug": f"campaign{next(_numbers)}",
        "title": "Test campaign",
        "goal_kind": GoalKind.PARTICIPANTS,
        "goal_target": 4,
        "deadline": now + timedelta(days=7),
        "pledge_options": [60, 240],
    }
    values.update(fields)
    return await create_campaign(
        association or await make_association(),
        CampaignInput(**values),
        by=None,
        publish=publish,
        now=now,
    )
