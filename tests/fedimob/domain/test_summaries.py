from fedimob.db import Database
from fedimob.domain.campaigns import list_campaigns
from fedimob.domain.participation import join
from fedimob.domain.summaries import campaign_summaries, campaign_summary
from fedimob.models import JoinVia
from fedimob.settings import Settings
from tests.fedimob.factories import make_actor, make_campaign


async def test_summaries_of_a_list_match_one_by_one_with_each_campaigns_milestones(
    db: Database, settings: Settings
) -> None:
    halfway = await make_campaign(goal_target=4)  # two people: 25 % then 50 %
    quarter = await make_campaign(goal_target=4)  # one person: 25 %
    untouched = await make_campaign(goal_target=4)
    for campaign, people in ((halfway, 2), (quarter, 1)):
        for _ in range(people):
            await join(campaign, await make_actor(), via=JoinVia.WEB, pledge_minutes=60)

    campaigns = await list_campaigns()
    together = await campaign_summaries(campaigns, settings)

    assert together == [await campaign_summary(c, settings) for c in campaigns]
    reached = {s["slug"]: [m["percent"] for m in s["milestones"]] for s in together}
    assert reached == {halfway.slug: [25, 50], quarter.slug: [25], untouched.slug: []}
    assert await campaign_summaries([], settings) == []
