"""The signed withdraw link of a remote participant: see the pledge, withdraw in one click."""

from datetime import datetime, timedelta

import httpx

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import decide, join
from fedimob.domain.withdrawal import withdraw_path
from fedimob.models import Actor, Campaign, JoinMode, JoinVia, Participation, ParticipationState
from tests.conftest import TEST_SECRET
from tests.fedimob.factories import make_campaign
from tests.web.forms import ORIGIN, submit


async def _remote_person(name: str = "bob") -> Actor:
    return await Actor.create(
        ap_id=f"https://mastodon.example/users/{name}", username=name, domain="mastodon.example"
    )


async def _voted(
    campaign: Campaign, name: str = "bob", now: datetime | None = None
) -> tuple[str, int]:
    change = await join(
        campaign, await _remote_person(name), via=JoinVia.POLL_VOTE, pledge_minutes=240, now=now
    )
    return withdraw_path(TEST_SECRET, change.participation), change.participation.id


async def test_the_link_shows_the_pledge_and_withdraws_in_one_click(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(title="River clean-up")
    path, number = await _voted(campaign)
    assert (
        "<strong>1</strong> of 4 people" in (await client.get(f"/campaigns/{campaign.slug}")).text
    )

    page = await client.get(path)
    assert page.status_code == 200
    assert "River clean-up" in page.text
    assert "@bob@mastodon.example" in page.text
    assert "4 hr" in page.text
    assert f'action="{path}"' in page.text

    done = await submit(client, path, {})
    assert done.status_code == 200
    assert "Done: you no longer take part in “River clean-up”." in done.text
    assert (await Participation.get(id=number)).state == ParticipationState.WITHDRAWN
    assert (
        "<strong>0</strong> of 4 people" in (await client.get(f"/campaigns/{campaign.slug}")).text
    )

    again = await client.get(path)
    assert "You have already withdrawn from this campaign." in again.text
    assert f'action="{path}"' not in again.text
    twice = await submit(client, path, {}, page=f"/campaigns/{campaign.slug}/join")
    assert twice.status_code == 200
    assert "You have already withdrawn" in twice.text
    await campaign.refresh_from_db()
    assert campaign.participants_count == 0


async def test_wrong_or_tampered_links_are_404(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await make_campaign()
    path, number = await _voted(campaign)
    other_path, other = await _voted(campaign, "carol")
    token, other_token = path.rsplit("/", 1)[1], other_path.rsplit("/", 1)[1]
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (
        f"/withdraw/{number}/{flipped}",
        f"/withdraw/{number}/{other_token}",  # another person's token
        f"/withdraw/{other}/{token}",
        f"/withdraw/{number}/{token[:-1]}",
        f"/withdraw/{number}/{token}x",
        f"/withdraw/{number}/{token * 10}",
        f"/withdraw/{number + 100}/{token}",
        f"/withdraw/{2**63}/{token}",
        f"/withdraw/{10**30}/{token}",
        f"/withdraw/0/{token}",
        f"/withdraw/-1/{token}",
        f"/withdraw/abc/{token}",
        f"/withdraw/{number}/",
        f"/withdraw/{number}/%C3%A9",  # non-ASCII: the same 404 whether the id exists or not
        f"/withdraw/{number + 100}/%C3%A9",
        f"/withdraw/{number}/{token[:-1]}%C3%A9",
    ):
        response = await client.get(bad)
        assert response.status_code == 404, bad
        assert "Withdraw" not in response.text
    forged = await submit(client, f"/withdraw/{number}/{flipped}", {}, page="/login")
    assert forged.status_code == 404
    assert (await Participation.get(id=number)).state == ParticipationState.ACCEPTED


async def test_the_button_needs_its_csrf_token(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await make_campaign()
    path, number = await _voted(campaign)
    await client.get(path)
    for headers in ({"origin": ORIGIN}, {"origin": "https://evil.example"}):
        response = await client.post(path, data={}, headers=headers)
        assert response.status_code == 403
    assert (await Participation.get(id=number)).state == ParticipationState.ACCEPTED


async def test_after_the_end_the_count_is_final(client: httpx.AsyncClient, db: Database) -> None:
    past = utcnow() - timedelta(days=10)
    campaign = await make_campaign(now=past, deadline=past + timedelta(days=1))
    path, number = await _voted(campaign, now=past)
    await end_if_due(campaign.id)
    page = await client.get(path)
    assert "its count is final" in page.text
    assert f'action="{path}"' not in page.text
    refused = await submit(client, path, {}, page="/login")  # a page opened before the end
    assert refused.status_code == 409
    assert (await Participation.get(id=number)).state == ParticipationState.ACCEPTED


async def test_a_pending_request_can_be_withdrawn(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await make_campaign(join_mode=JoinMode.APPROVAL)
    path, number = await _voted(campaign)
    page = await client.get(path)
    assert f'action="{path}"' in page.text
    assert (await submit(client, path, {})).status_code == 200
    assert (await Participation.get(id=number)).state == ParticipationState.WITHDRAWN


async def test_a_declined_participation_has_nothing_to_withdraw(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await make_campaign(join_mode=JoinMode.APPROVAL)
    path, number = await _voted(campaign)
    await decide(await Participation.get(id=number), accept=False, by=None)
    page = await client.get(path)
    assert "there is nothing to withdraw" in page.text
    assert f'action="{path}"' not in page.text
