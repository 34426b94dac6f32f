from fedimob.db import Database
from fedimob.demo import database_is_empty, load_demo
from fedimob.domain.tally import recount, tally_of_campaign
from fedimob.models import Campaign, CampaignState, CampaignUpdate, Outcome
from fedimob.settings import Settings


async def test_demo_shows_campaigns_in_every_state(db: Database, settings: Settings) -> None:
    assert await database_is_empty()
    summary = await load_demo(settings)
    assert not await database_is_empty()
    states = {c.slug: (c.state, c.outcome) async for c in Campaign.all()}
    assert states["photo_cleanup"] == (CampaignState.ENDED, Outcome.SUCCEEDED)
    assert states["winter_count"] == (CampaignState.ENDED, Outcome.MISSED)
    assert states["unsubscribe_week"] == (CampaignState.DRAFT, None)
    assert states["loire_cleanup"][0] == CampaignState.PUBLISHED
    assert summary["associations"] == ["amis_de_la_loire", "digital_cleanup"]
    async for campaign in Campaign.all():
        assert tally_of_campaign(campaign) == await recount(campaign.id)
    mail = await Campaign.get(slug="delete_old_emails")
    assert mail.impact_total > 0
    assert mail.participants_count == 12
    assert (await Campaign.get(slug="plant_hedges")).requested_count == 5
    assert await CampaignUpdate.exists()
