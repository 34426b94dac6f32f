"""Many joins at once: exactly one participation and one count per person.

On PostgreSQL the joins really run in parallel over a connection pool; on
SQLite they interleave on one connection. Either way duplicates must not
double-count and no join may be lost.
"""

import asyncio

from fedimob.db import Database
from fedimob.domain.participation import join
from fedimob.domain.tally import recount, tally_of_campaign
from fedimob.models import Actor, Campaign, JoinVia, Participation
from tests.fedimob.factories import make_campaign

PEOPLE = 200


async def test_200_joins_and_200_duplicates_count_exactly_200(db: Database) -> None:
    campaign = await make_campaign(goal_target=PEOPLE)
    await Actor.bulk_create(
        [
            Actor(username=f"p{n}", domain="remote.example", ap_id=f"https://remote.example/u/{n}")
            for n in range(PEOPLE)
        ]
    )
    actors = await Actor.filter(domain="remote.example")
    pledges = {actor.id: 60 if actor.id % 2 else 240 for actor in actors}
    calls = [
        join(campaign, actor, via=JoinVia.JOIN_ACTIVITY, pledge_minutes=pledges[actor.id])
        for actor in actors * 2
    ]
    results = await asyncio.gather(*calls)
    assert sum(result.changed for result in results) == PEOPLE
    stored = await Campaign.get(id=campaign.id)
    assert stored.participants_count == PEOPLE
    assert stored.pledged_minutes == sum(pledges.values())
    assert await Participation.filter(campaign_id=campaign.id).count() == PEOPLE
    assert tally_of_campaign(stored) == await recount(campaign.id)
