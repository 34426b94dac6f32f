import pytest

from fedimob.db import Database
from fedimob.domain.participant_lists import (
    all_participants,
    counts_by_state,
    list_participants,
    participation_in,
)
from fedimob.domain.participation import join, leave
from fedimob.errors import NotFound
from fedimob.models import Actor, JoinMode, JoinVia, ParticipationState
from tests.fedimob.factories import make_actor, make_campaign


async def test_pages_counts_and_export_see_only_the_campaigns_own_rows(db: Database) -> None:
    campaign = await make_campaign(join_mode=JoinMode.APPROVAL)
    other = await make_campaign()
    people = [
        await Actor.create(username=f"p{n}", domain="example.net", ap_id=f"https://example.net/{n}")
        for n in range(5)
    ]
    for person in people:
        await join(campaign, person, via=JoinVia.JOIN_ACTIVITY)
        await join(other, person, via=JoinVia.WEB)
    await leave(campaign, people[0])
    counts = await counts_by_state(campaign.id)
    assert counts[ParticipationState.REQUESTED] == 4
    assert counts[ParticipationState.WITHDRAWN] == 1
    assert counts[ParticipationState.ACCEPTED] == 0
    page = await list_participants(campaign.id, page=2, per_page=2)
    assert (page.total, page.page, page.pages) == (5, 2, 3)
    assert [row.username for row in page.rows] == ["p2", "p3"]
    assert (await list_participants(campaign.id, page=99, per_page=2)).page == 3
    requested = await list_participants(campaign.id, state=ParticipationState.REQUESTED)
    assert [row.handle("here.test") for row in requested.rows] == [
        f"p{n}@example.net" for n in range(1, 5)
    ]
    exported = [row.username async for row in all_participants(campaign.id)]
    assert exported == [f"p{n}" for n in range(5)]
    row = page.rows[0]
    assert (await participation_in(campaign.id, row.id)).id == row.id
    with pytest.raises(NotFound):
        await participation_in(other.id, row.id)
    with pytest.raises(NotFound):
        await participation_in(campaign.id, 2**64)


async def test_a_local_participant_has_no_domain(db: Database) -> None:
    campaign = await make_campaign()
    await join(campaign, await make_actor("lou"), via=JoinVia.WEB)
    [row] = (await list_participants(campaign.id)).rows
    assert row.domain is None
    assert row.handle("here.test") == "lou@here.test"
