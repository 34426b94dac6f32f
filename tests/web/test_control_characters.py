"""Control characters typed into forms: dropped before anything is stored.

PostgreSQL cannot store NUL at all (it used to be a 500 there); no person types
the others. Tab, newline and carriage return are text and stay.
"""

import httpx

from fedimob.db import Database
from fedimob.models import Account, CampaignUpdate, Participation
from tests.fedimob.factories import make_campaign
from tests.web.forms import log_in, make_user, submit
from tests.web.organisers import organiser

HOSTILE = "a\x00b\x07c\x1bd\x7fe"


async def test_sign_up_drops_them_from_the_display_name(
    client: httpx.AsyncClient, db: Database
) -> None:
    form = {
        "username": "zoe",
        "display_name": f"Zoé {HOSTILE}",
        "email": "zoe@example.org",
        "password": "a long enough password",
    }
    response = await submit(client, "/signup", form)
    assert response.status_code == 303
    assert (await Account.get(username="zoe")).display_name == "Zoé abcde"


async def test_a_join_message_keeps_its_lines_but_not_the_rest(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await log_in(client)
    campaign = await make_campaign()
    path = f"/campaigns/{campaign.slug}/join"
    joined = await submit(client, path, {"pledge": "60", "message": f"hi\r\n\t{HOSTILE}"})
    assert joined.status_code == 303
    row = await Participation.get(campaign_id=campaign.id)
    assert row.message == "hi\r\n\tabcde"


async def test_an_update_is_stored_without_them(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    edit = f"/dashboard/campaigns/{campaign.slug}/edit"
    posted = await submit(
        client,
        f"/dashboard/campaigns/{campaign.slug}/updates",
        {"update_title": f"T{HOSTILE}", "body": f"Body {HOSTILE}"},
        page=edit,
    )
    assert posted.status_code == 303
    update = await CampaignUpdate.get(campaign_id=campaign.id)
    assert update.title == "Tabcde"
    assert update.body_html == "<p>Body abcde</p>\n"
