"""A person's own participation in a campaign, as the campaign page's join box reads it."""

from fedimob.db import Database
from fedimob.domain.my_participations import participation_in
from fedimob.domain.participation import join
from fedimob.domain.public_campaigns import public_campaign
from fedimob.models import Campaign, JoinVia
from tests.fedimob.factories import make_account, make_association, make_campaign


async def test_ones_participation_with_or_without_the_association_loaded(db: Database) -> None:
    association = await make_association()
    campaign = await make_campaign(association, slug="river")
    alice, bob = await make_account("alice"), await make_account("bob")
    await join(campaign, await alice.actor, via=JoinVia.WEB, pledge_minutes=240)

    shown = await public_campaign("river")  # as the page has it: its association loaded
    mine = await participation_in(shown, alice)
    assert mine is not None
    assert (mine.slug, mine.pledge_minutes) == ("river", 240)
    assert mine.association_name == "Test association"
    bare = await Campaign.get(id=campaign.id)  # association not loaded: read on demand
    again = await participation_in(bare, alice)
    assert again is not None
    assert again.association_name == "Test association"
    assert await participation_in(shown, bob) is None
