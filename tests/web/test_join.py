"""Joining, withdrawing and reporting from a campaign's join box, with a local account."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import decide, join
from fedimob.models import (
    Account,
    Campaign,
    GoalKind,
    JoinMode,
    JoinVia,
    Participation,
    ParticipationState,
)
from tests.fedimob.factories import make_actor, make_campaign
from tests.web.forms import ORIGIN, log_in, make_user, submit


async def _mine(campaign: Campaign, username: str = "alice") -> Participation | None:
    account = await Account.get(username=username)
    return await Participation.get_or_none(campaign_id=campaign.id, participant_id=account.actor_id)  # type: ignore[attr-defined]


async def _join(client: httpx.AsyncClient, campaign: Campaign, **data: str) -> httpx.Response:
    form = {"pledge": "60", **data}
    return await submit(
        client, f"/campaigns/{campaign.slug}/join", form, page=f"/campaigns/{campaign.slug}/join"
    )


async def _logged_in(client: httpx.AsyncClient, **campaign_fields: Any) -> Campaign:
    await make_user()
    await log_in(client)
    return await make_campaign(**campaign_fields)


async def test_a_visitor_is_offered_sign_up_log_in_and_the_fediverse(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign()
    page = await client.get(f"/campaigns/{campaign.slug}/join")
    assert page.status_code == 200
    assert f'href="/signup?next=/campaigns/{campaign.slug}"' in page.text
    assert f'href="/login?next=/campaigns/{campaign.slug}"' in page.text
    assert f'href="/campaigns/{campaign.slug}/fediverse"' in page.text
    assert 'name="pledge"' not in page.text  # no join form before logging in
    assert "set-cookie" not in page.headers  # looking costs no session


async def test_the_form_offers_the_pledges_as_localised_durations(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client, pledge_options=[30, 90, 240])
    page = await client.get(f"/campaigns/{campaign.slug}/join")
    for minutes, label in ((30, "30 min"), (90, "1 hr 30 min"), (240, "4 hr")):
        assert f'value="{minutes}"' in page.text
        assert label in page.text
    await submit(client, "/language", {"language": "fr", "next": "/"}, page="/")
    french = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "1\u202fh 30\xa0min" in french.text
    assert "Participer" in french.text


async def test_joining_counts_and_withdrawing_uncounts(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client)
    before = await client.get(f"/campaigns/{campaign.slug}")
    assert "<strong>0</strong> of 4 people" in before.text

    joined = await _join(client, campaign, pledge="240", listed="1", message=" See you! ")
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/campaigns/{campaign.slug}#join"
    row = await _mine(campaign)
    assert row is not None
    assert (row.state, row.pledge_minutes, row.listed, row.via, row.message) == (
        ParticipationState.ACCEPTED, 240, True, JoinVia.WEB, "See you!",
    )  # fmt: skip
    page = await client.get(f"/campaigns/{campaign.slug}")
    assert "<strong>1</strong> of 4 people" in page.text
    assert "You&#39;re in: 4 hr. Thank you!" in page.text  # the flash, once
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "You're in: you pledged 4 hr." in box.text
    assert "Your name is listed publicly." in box.text
    assert f'action="/campaigns/{campaign.slug}/leave"' in box.text

    left = await submit(
        client, f"/campaigns/{campaign.slug}/leave", {}, page=f"/campaigns/{campaign.slug}/join"
    )
    assert left.status_code == 303
    assert (await _mine(campaign)).state == ParticipationState.WITHDRAWN  # type: ignore[union-attr]
    page = await client.get(f"/campaigns/{campaign.slug}")
    assert "<strong>0</strong> of 4 people" in page.text
    assert "You have withdrawn." in page.text
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "You withdrew. You can join again." in box.text


async def test_changing_the_pledge_is_the_same_participation(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client, goal_kind=GoalKind.HOURS, goal_target=10)
    await _join(client, campaign, pledge="60")
    await _join(client, campaign, pledge="240")
    again = await _join(client, campaign, pledge="240")
    assert again.status_code == 303
    assert await Participation.filter(campaign_id=campaign.id).count() == 1
    await campaign.refresh_from_db()
    assert (campaign.participants_count, campaign.pledged_minutes) == (1, 240)
    assert "Nothing changed" in (await client.get(f"/campaigns/{campaign.slug}")).text


@pytest.mark.parametrize(
    "pledge", ["999", "-60", "abc", "", "60.5", "6" * 40, "\uff16\uff10", "\x00", "0"]
)
async def test_pledges_not_offered_are_refused(
    client: httpx.AsyncClient, db: Database, pledge: str
) -> None:
    campaign = await _logged_in(client)
    refused = await _join(client, campaign, pledge=pledge)
    assert refused.status_code == 400
    assert "Choose one of the pledges offered." in refused.text
    assert await _mine(campaign) is None


async def test_an_oversized_message_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await _logged_in(client)
    for size in (2001, 50_000):
        refused = await _join(client, campaign, message="x" * size)
        assert refused.status_code == 400
        assert "too long" in refused.text
    assert await _mine(campaign) is None


async def test_unknown_and_draft_campaigns_are_404(client: httpx.AsyncClient, db: Database) -> None:
    draft = await _logged_in(client, publish=False)
    token_page = "/account"
    for slug in ("nope", draft.slug, "%00"):
        for action in ("join", "leave", "report", "fediverse"):
            response = await submit(
                client, f"/campaigns/{slug}/{action}", {"pledge": "60"}, page=token_page
            )
            assert response.status_code == 404, (slug, action)
    assert await Participation.all().count() == 0


async def test_joining_needs_a_login(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await make_campaign()
    response = await submit(
        client, f"/campaigns/{campaign.slug}/join", {"pledge": "60"}, page="/login"
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/campaigns/{campaign.slug}/join"
    for action in ("leave", "report"):
        response = await submit(client, f"/campaigns/{campaign.slug}/{action}", {}, page="/login")
        assert response.headers["location"] == f"/login?next=/campaigns/{campaign.slug}"
    assert await Participation.all().count() == 0


async def test_a_form_without_its_csrf_token_is_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client)
    for action in ("join", "leave", "report"):
        response = await client.post(
            f"/campaigns/{campaign.slug}/{action}",
            data={"pledge": "60", "hours": "1"},
            headers={"origin": ORIGIN},
        )
        assert response.status_code == 403
    foreign = await client.post(
        f"/campaigns/{campaign.slug}/join",
        data={"pledge": "60"},
        headers={"origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert await _mine(campaign) is None


async def test_approval_mode_says_the_request_awaits_the_organisers(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client, join_mode=JoinMode.APPROVAL)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "The organisers review each request" in box.text
    await _join(client, campaign)
    assert (await _mine(campaign)).state == ParticipationState.REQUESTED  # type: ignore[union-attr]
    page = await client.get(f"/campaigns/{campaign.slug}")
    assert "Your request was sent: it awaits the organisers&#39; approval." in page.text
    assert "<strong>0</strong> of 4 people" in page.text
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "awaits the organisers' approval" in box.text
    assert "Cancel my request" in box.text


async def test_a_full_campaign_refuses_clearly(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await _logged_in(client, capacity=1, goal_target=1)
    await join(campaign, await make_actor(), via=JoinVia.CLI)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "This campaign is full" in box.text
    assert 'name="pledge"' not in box.text
    refused = await _join(client, campaign)  # a form opened before the last place went
    assert refused.status_code == 409
    assert "This campaign is full: every place is taken." in refused.text
    assert await _mine(campaign) is None


async def test_an_ended_campaign_refuses_clearly(client: httpx.AsyncClient, db: Database) -> None:
    past = utcnow() - timedelta(days=10)
    campaign = await _logged_in(client, now=past, deadline=past + timedelta(days=1))
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "Joining is closed." in box.text
    refused = await _join(client, campaign)
    assert refused.status_code == 409
    assert "This campaign has ended: joining is closed." in refused.text
    await end_if_due(campaign.id)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "This campaign has ended: joining is closed." in box.text


async def test_a_cancelled_campaign_refuses_clearly(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client)
    await cancel_campaign(campaign)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "This campaign was cancelled." in box.text
    refused = await _join(client, campaign)
    assert refused.status_code == 409
    assert "This campaign was cancelled." in refused.text


async def test_a_declined_person_cannot_join_again(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await _logged_in(client, join_mode=JoinMode.APPROVAL)
    await _join(client, campaign)
    row = await _mine(campaign)
    assert row is not None
    await decide(row, accept=False, by=None)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "The organisers declined your participation" in box.text
    refused = await _join(client, campaign)
    assert refused.status_code == 409
    assert "declined your participation" in refused.text


async def test_withdrawing_after_the_end_is_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    past = utcnow() - timedelta(days=10)
    campaign = await _logged_in(client, now=past, deadline=past + timedelta(days=1))
    account = await Account.get(username="alice")
    await join(campaign, await account.actor, via=JoinVia.WEB, now=past)
    await end_if_due(campaign.id)
    refused = await submit(client, f"/campaigns/{campaign.slug}/leave", {}, page="/account")
    assert refused.status_code == 409
    assert "its count is final" in refused.text
    assert (await _mine(campaign)).state == ParticipationState.ACCEPTED  # type: ignore[union-attr]


async def test_reporting_what_one_did_is_shown_back(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(
        client, goal_kind=GoalKind.IMPACT, goal_target=10_000, impact_unit="e-mails"
    )
    await _join(client, campaign)
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "How many e-mails" in box.text
    reported = await submit(
        client,
        f"/campaigns/{campaign.slug}/report",
        {"hours": "2", "minutes": "", "impact": "1,200"},
        page=f"/campaigns/{campaign.slug}/join",
    )
    assert reported.status_code == 303
    row = await _mine(campaign)
    assert row is not None
    assert (row.reported_minutes, row.reported_impact) == (120, Decimal("1200"))
    page = await client.get(f"/campaigns/{campaign.slug}")
    assert "Thank you! Recorded: 2 hr, 1,200 e-mails." in page.text
    assert "<strong>1,200</strong> of 10,000 e-mails" in page.text
    box = await client.get(f"/campaigns/{campaign.slug}/join")
    assert "You reported: 2 hr, 1,200 e-mails." in box.text
    assert "Not validated by the organisers yet." in box.text
    assert 'value="2"' in box.text
    assert 'value="1200"' in box.text

    await submit(client, "/language", {"language": "fr", "next": "/"}, page="/")
    french = await submit(
        client,
        f"/campaigns/{campaign.slug}/report",
        {"hours": "1", "minutes": "30", "impact": "1 500,5"},
        page=f"/campaigns/{campaign.slug}/join",
    )
    assert french.status_code == 303
    row = await _mine(campaign)
    assert (row.reported_minutes, row.reported_impact) == (90, Decimal("1500.5"))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours": "", "minutes": "", "impact": ""}, "Say how long you gave"),
        ({"hours": "1", "minutes": "75"}, "minutes from 0 to 59"),
        ({"hours": "-1"}, "minutes from 0 to 59"),
        ({"hours": "1e3"}, "minutes from 0 to 59"),
        ({"hours": "9" * 30}, "minutes from 0 to 59"),
        ({"hours": "99999"}, "minutes from 0 to 59"),
        ({"impact": "lots"}, "must be a number"),
        ({"impact": "-5"}, "must be a number"),
        ({"impact": "NaN"}, "must be a number"),
        ({"impact": "1e20"}, "must be a number"),
        ({"impact": "9" * 5000}, "must be a number"),
    ],
)
async def test_reports_that_do_not_check_out_are_refused(
    client: httpx.AsyncClient, db: Database, data: dict[str, str], message: str
) -> None:
    campaign = await _logged_in(client, impact_unit="bags")
    await _join(client, campaign)
    refused = await submit(
        client, f"/campaigns/{campaign.slug}/report", data, page=f"/campaigns/{campaign.slug}/join"
    )
    assert refused.status_code == 400
    assert message in refused.text
    assert (await _mine(campaign)).reported_at is None  # type: ignore[union-attr]


async def test_only_confirmed_participants_report(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await _logged_in(client, join_mode=JoinMode.APPROVAL)
    refused = await submit(client, f"/campaigns/{campaign.slug}/report", {"hours": "1"},
                           page="/account")  # fmt: skip
    assert refused.status_code == 409
    await _join(client, campaign)  # requested, not yet accepted
    refused = await submit(client, f"/campaigns/{campaign.slug}/report", {"hours": "1"},
                           page="/account")  # fmt: skip
    assert refused.status_code == 409
    assert "whose place is confirmed" in refused.text


async def test_one_persons_participation_is_never_shown_to_another(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await _logged_in(client)
    await _join(client, campaign, pledge="240", message="private note")
    await make_user("bob")
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as other:
        await log_in(other, "bob")
        box = await other.get(f"/campaigns/{campaign.slug}/join")
        assert "you pledged" not in box.text
        assert 'name="pledge"' in box.text  # bob may join, as himself
        left = await submit(other, f"/campaigns/{campaign.slug}/leave", {}, page="/account")
        assert left.status_code == 303
    assert (await _mine(campaign)).state == ParticipationState.ACCEPTED  # type: ignore[union-attr]
