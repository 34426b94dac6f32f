from datetime import UTC, datetime, timedelta

import pytest

from fedimob.db import Database
from fedimob.domain import dashboard
from fedimob.domain.associations import add_member
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.dashboard import (
    campaigns_by_state,
    joins_per_day,
    organised_associations,
    organised_campaign,
)
from fedimob.domain.participation import join, leave
from fedimob.errors import NotFound
from fedimob.models import Campaign, CampaignState, JoinVia, MemberRole, Participation
from tests.fedimob.factories import make_account, make_actor, make_association, make_campaign

NOW = datetime(2030, 5, 10, 12, 0, tzinfo=UTC)


async def _join_at(campaign: Campaign, moment: datetime) -> Participation:
    change = await join(campaign, await make_actor(), via=JoinVia.WEB, now=moment)
    await Participation.filter(id=change.participation.id).update(created_at=moment)
    return change.participation


async def test_joins_are_counted_per_utc_day_with_empty_days_present(db: Database) -> None:
    campaign = await make_campaign(now=NOW - timedelta(days=3), deadline=NOW + timedelta(days=5))
    for moment in (
        NOW - timedelta(days=3) + timedelta(hours=1),
        NOW - timedelta(days=1, hours=12) + timedelta(minutes=1),  # 00:01 UTC
        NOW - timedelta(days=1, hours=12) - timedelta(minutes=1),  # 23:59 UTC the day before
        NOW,
    ):
        await _join_at(campaign, moment)
    left = await _join_at(campaign, NOW)
    await leave(campaign, await left.participant, now=NOW)
    joins = await joins_per_day(campaign, now=NOW)
    assert [(day.isoformat(), count) for day, count in joins.days] == [
        ("2030-05-07", 1),
        ("2030-05-08", 1),
        ("2030-05-09", 1),
        ("2030-05-10", 1),
    ]
    assert joins.total == 4  # the one who left is not counted
    assert not joins.partial


async def test_the_window_is_bounded_and_ends_with_the_campaign(db: Database) -> None:
    long_ago = NOW - timedelta(days=200)
    campaign = await make_campaign(now=long_ago, deadline=NOW + timedelta(days=1))
    joins = await joins_per_day(campaign, now=NOW)
    assert len(joins.days) == dashboard.CHART_DAYS
    assert joins.days[-1][0] == NOW.date()
    await cancel_campaign(campaign, now=long_ago + timedelta(days=2))
    cancelled = await campaigns_by_state(campaign.association_id)  # type: ignore[attr-defined]
    [stored] = cancelled[CampaignState.CANCELLED]
    joins = await joins_per_day(stored, now=NOW)
    assert [day for day, _count in joins.days] == [
        (long_ago + timedelta(days=n)).date() for n in range(3)
    ]


async def test_past_the_row_cap_the_chart_says_it_is_partial(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard, "MAX_JOIN_ROWS", 2)
    campaign = await make_campaign(now=NOW - timedelta(days=2), deadline=NOW + timedelta(days=5))
    for days_ago in (2, 1, 0):
        await _join_at(campaign, NOW - timedelta(days=days_ago))
    joins = await joins_per_day(campaign, now=NOW)
    assert joins.partial
    assert [count for _day, count in joins.days] == [0, 1, 1]  # the newest joins are kept


async def test_organised_associations_lists_each_membership_with_its_role(db: Database) -> None:
    person = await make_account()
    owned = await make_association(person)
    helped = await make_association()
    await add_member(helped, person, MemberRole.ORGANISER)
    await make_association()  # not theirs
    found = {(o.association.id, o.role) for o in await organised_associations(person)}
    assert found == {(owned.id, MemberRole.OWNER), (helped.id, MemberRole.ORGANISER)}
    assert await organised_associations(await make_account()) == []


async def test_an_organised_campaign_is_found_only_by_its_organisers(db: Database) -> None:
    owner = await make_account()
    draft = await make_campaign(await make_association(owner), publish=False)
    found = await organised_campaign(draft.slug, owner)
    assert found.id == draft.id
    assert found.association.id == draft.association_id  # type: ignore[attr-defined]
    stranger = await make_account()
    await make_association(stranger)
    for slug, who in ((draft.slug, stranger), ("nope", owner), ("\x00" * 3000, owner)):
        with pytest.raises(NotFound):
            await organised_campaign(slug, who)
