"""HEAD is answered as GET: never the POST branch of a GET+POST page, which skips no check.

Link scanners and unfurlers send HEAD to the links they see (the withdraw link
is in a direct message); it used to run the POST branch without CSRF or Origin.
"""

import httpx

from fedimob.db import Database
from fedimob.domain.participation import join
from fedimob.domain.withdrawal import withdraw_path
from fedimob.models import Actor, Campaign, CampaignState, JoinVia, Participation
from fedimob.models import ParticipationState as State
from tests.conftest import TEST_SECRET
from tests.fedimob.factories import make_campaign
from tests.web.organisers import organiser

EVIL = {"origin": "https://evil.example"}


async def test_a_head_on_the_withdraw_link_withdraws_no_one(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign()
    bob = await Actor.create(
        ap_id="https://mastodon.example/users/bob", username="bob", domain="mastodon.example"
    )
    change = await join(campaign, bob, via=JoinVia.POLL_VOTE, pledge_minutes=60)
    path = withdraw_path(TEST_SECRET, change.participation)
    response = await client.head(path, headers=EVIL)
    assert response.status_code == 200
    assert response.content == b""
    assert (await Participation.get(id=change.participation.id)).state == State.ACCEPTED


async def test_a_head_on_close_or_cancel_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    for action in ("close", "cancel"):
        response = await client.head(f"/dashboard/campaigns/{campaign.slug}/{action}", headers=EVIL)
        assert response.status_code == 200, action
        assert (await Campaign.get(id=campaign.id)).state == CampaignState.PUBLISHED


async def test_a_head_on_login_costs_no_attempt(client: httpx.AsyncClient, db: Database) -> None:
    for _ in range(40):  # more than the per-address limit of failures
        assert (await client.head("/login")).status_code == 200
    page = await client.get("/login")
    assert "Too many failed attempts" not in page.text
