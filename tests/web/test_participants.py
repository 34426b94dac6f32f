import csv
import io

import httpx
import pytest

from fedimob.db import Database
from fedimob.domain.participation import join, report_contribution
from fedimob.models import (
    Campaign,
    Job,
    JoinMode,
    JoinVia,
    Participation,
    ParticipationState,
)
from tests.fedimob.factories import make_actor, make_campaign
from tests.web.forms import log_in, make_user, submit
from tests.web.organisers import (
    another_browser,
    organiser,
    organisers,
    post_without_token,
    remote_actor,
)


async def test_the_list_says_who_how_and_from_where(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, impact_unit="bags")
    local = await (await make_user("lou", display_name="Lou Local")).actor
    bob = await remote_actor("bob", "mastodon.example", "Bob Remote")
    await join(campaign, local, via=JoinVia.WEB, pledge_minutes=90, message="I bring gloves")
    await join(campaign, bob, via=JoinVia.POLL_VOTE, pledge_minutes=240)
    await report_contribution(campaign, bob, minutes=200, impact=3)
    page = await client.get(f"/dashboard/campaigns/{campaign.slug}/participants")
    assert page.status_code == 200
    assert "2 participants" in page.text
    assert "Lou Local" in page.text
    assert "<code>@lou@fedimob.test</code>" in page.text
    assert "Bob Remote" in page.text
    assert "<code>@bob@mastodon.example</code>" in page.text
    assert "I bring gloves" in page.text
    assert "1 hr 30 min" in page.text
    assert "4 hr" in page.text
    assert "this site" in page.text
    assert "poll vote (Mastodon...)" in page.text
    assert "<td>here</td>" in page.text
    assert "<td>mastodon.example</td>" in page.text
    assert "3 h 20 min" in page.text or "3 hr 20 min" in page.text
    assert "3 bags" in page.text
    assert "not validated yet" in page.text


async def test_filtering_by_state(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL)
    await join(campaign, await remote_actor("asker", "example.net"), via=JoinVia.JOIN_ACTIVITY)
    accepted = await join(campaign, await remote_actor("in", "example.net"), via=JoinVia.WEB)
    await Participation.filter(id=accepted.participation.id).update(
        state=ParticipationState.ACCEPTED
    )
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    requested = await client.get(f"{path}?state=requested")
    assert "@asker@example.net" in requested.text
    assert "@in@example.net" not in requested.text
    assert 'aria-current="page">Requested (1)' in requested.text
    everyone = await client.get(f"{path}?state=bogus&page=-3")
    assert everyone.status_code == 200
    assert "@asker@example.net" in everyone.text
    assert "@in@example.net" in everyone.text


async def test_approving_and_declining_requests(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL, capacity=4)
    yes = (await join(campaign, await make_actor(), via=JoinVia.WEB)).participation
    no = (
        await join(
            campaign,
            await remote_actor("no", "example.net"),
            via=JoinVia.JOIN_ACTIVITY,
            ap_id="https://example.net/join/1",
        )
    ).participation
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    accepted = await submit(
        client, f"{path}/{yes.id}/decide", {"decision": "accept", "state": "requested"}, page=path
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{path}?state=requested"
    declined = await submit(client, f"{path}/{no.id}/decide", {"decision": "reject"}, page=path)
    assert declined.status_code == 303
    assert (await Participation.get(id=yes.id)).state == ParticipationState.ACCEPTED
    assert (await Participation.get(id=no.id)).state == ParticipationState.REJECTED
    counted = await Campaign.get(id=campaign.id)
    assert (counted.participants_count, counted.requested_count) == (1, 0)
    assert await Job.filter(kind="participation.decided").count() == 1  # the remote one is told
    page = await client.get(declined.headers["location"])
    assert "Request declined." in page.text
    again = await submit(client, f"{path}/{no.id}/decide", {"decision": "accept"}, page=path)
    assert "already decided" in (await client.get(again.headers["location"])).text
    bogus = await submit(client, f"{path}/{no.id}/decide", {"decision": "maybe"}, page=path)
    assert bogus.status_code == 404


async def test_a_full_campaign_cannot_accept_more(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL, capacity=4, goal_target=4)
    rows = [
        (await join(campaign, await make_actor(), via=JoinVia.WEB)).participation for _ in range(5)
    ]
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    for row in rows[:4]:
        await submit(client, f"{path}/{row.id}/decide", {"decision": "accept"}, page=path)
    full = await submit(client, f"{path}/{rows[4].id}/decide", {"decision": "accept"}, page=path)
    assert "The campaign is full" in (await client.get(full.headers["location"])).text
    assert (await Participation.get(id=rows[4].id)).state == ParticipationState.REQUESTED


async def test_validating_a_reported_contribution(client: httpx.AsyncClient, db: Database) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    actor = await make_actor()
    row = (await join(campaign, actor, via=JoinVia.WEB)).participation
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    early = await submit(client, f"{path}/{row.id}/validate", {}, page=path)
    assert "Nothing was reported yet" in (await client.get(early.headers["location"])).text
    await report_contribution(campaign, actor, minutes=50)
    assert 'value="accept"' not in (await client.get(path)).text
    done = await submit(client, f"{path}/{row.id}/validate", {}, page=path)
    assert done.status_code == 303
    assert (await Participation.get(id=row.id)).contribution_validated
    page = await client.get(path)
    assert "Contribution validated." in page.text
    assert ">validated<" in page.text
    assert "/validate" not in page.text


async def test_the_csv_export_is_complete_and_formula_safe(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    evil = await (await make_user("evil", display_name='=HYPERLINK("https://x")')).actor
    await join(campaign, evil, via=JoinVia.WEB, message="+1 -2 @me", pledge_minutes=60)
    await join(campaign, await remote_actor("zoé", "mastodon.example", "Zoé"), via=JoinVia.MENTION)
    response = await client.get(f"/dashboard/campaigns/{campaign.slug}/participants.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="{campaign.slug}-participants.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["handle"] for row in rows] == ["evil@fedimob.test", "zoé@mastodon.example"]
    assert rows[0]["name"] == '\'=HYPERLINK("https://x")'
    assert rows[0]["message"] == "'+1 -2 @me"
    assert rows[0]["instance"] == "fedimob.test"
    assert rows[1]["instance"] == "mastodon.example"
    assert (rows[1]["name"], rows[1]["joined_via"], rows[1]["state"]) == (
        "Zoé",
        "mention",
        "accepted",
    )


async def test_the_csv_export_reads_in_batches(
    client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fedimob.domain.participant_lists.EXPORT_BATCH", 2)
    org = await organiser(client)
    campaign = await make_campaign(org.ours, capacity=None)
    for n in range(5):
        await join(campaign, await remote_actor(f"p{n}", "example.net"), via=JoinVia.WEB)
    response = await client.get(f"/dashboard/campaigns/{campaign.slug}/participants.csv")
    handles = [row["handle"] for row in csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))]
    assert handles == [f"p{n}@example.net" for n in range(5)]


async def test_another_associations_organiser_sees_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organisers(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL)
    secret = await remote_actor("secret", "example.net", "Secret Person")
    row = (await join(campaign, secret, via=JoinVia.WEB)).participation
    theirs = await make_campaign(org.theirs)
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    async with another_browser(client) as dana:
        await log_in(dana, "dana")
        own = f"/dashboard/campaigns/{theirs.slug}/participants"
        for response in (
            await dana.get(path),
            await dana.get(f"{path}.csv"),
            await submit(dana, f"{path}/{row.id}/decide", {"decision": "accept"}, page=own),
            await submit(dana, f"{path}/{row.id}/validate", {}, page=own),
            # Our participation, through her own campaign's address: not found either.
            await submit(dana, f"{own}/{row.id}/decide", {"decision": "accept"}, page=own),
        ):
            assert response.status_code == 404
            assert "Secret Person" not in response.text
            assert "secret@" not in response.text
    assert (await Participation.get(id=row.id)).state == ParticipationState.REQUESTED


async def test_visitors_and_volunteers_are_kept_out(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    async with another_browser(client) as browser:
        for target in (path, f"{path}.csv"):
            assert (await browser.get(target)).headers["location"].startswith("/login?next=")
        await make_user("vera")
        await log_in(browser, "vera")
        assert (await browser.get(path)).status_code == 404
        assert (await browser.get(f"{path}.csv")).status_code == 404


async def test_an_unknown_or_huge_participation_id_is_not_found(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours)
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    for pid in ("999", "9" * 30):
        response = await submit(client, f"{path}/{pid}/decide", {"decision": "accept"}, page=path)
        assert response.status_code == 404
        assert (await submit(client, f"{path}/{pid}/validate", {}, page=path)).status_code == 404


async def test_decisions_without_their_token_are_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL)
    row = (await join(campaign, await make_actor(), via=JoinVia.WEB)).participation
    path = f"/dashboard/campaigns/{campaign.slug}/participants/{row.id}"
    assert (
        await post_without_token(client, f"{path}/decide", {"decision": "accept"})
    ).status_code == 403
    assert (await post_without_token(client, f"{path}/validate")).status_code == 403
    assert (await Participation.get(id=row.id)).state == ParticipationState.REQUESTED


@pytest.mark.parametrize("page", ["²", "³", "١٢", "\uff11", "99999999", "-1", "0x10"])
async def test_a_page_number_that_is_no_ascii_number_shows_the_first_page(
    client: httpx.AsyncClient, db: Database, page: str
) -> None:
    """'²'.isdigit() is true: int('²') was a 500, after a decision had been saved."""
    org = await organiser(client)
    campaign = await make_campaign(org.ours, join_mode=JoinMode.APPROVAL)
    asked = (await join(campaign, await make_actor(), via=JoinVia.WEB)).participation
    path = f"/dashboard/campaigns/{campaign.slug}/participants"
    listed = await client.get(path, params={"page": page})
    assert listed.status_code == 200
    decided = await submit(
        client, f"{path}/{asked.id}/decide", {"decision": "accept", "page": page}, page=path
    )
    assert decided.status_code == 303
    assert "page=" not in decided.headers["location"]  # back to the first page
    assert (await Participation.get(id=asked.id)).state == ParticipationState.ACCEPTED
