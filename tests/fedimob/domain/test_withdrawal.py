"""Withdrawing with the signed link of a confirmation message."""

import pytest

from fedimob.db import Database
from fedimob.domain.participation import join
from fedimob.domain.withdrawal import participation_for, withdraw_by_link, withdraw_path
from fedimob.errors import NotFound
from fedimob.models import Campaign, JoinVia, ParticipationState
from tests.fedimob.factories import make_actor, make_campaign

SECRET = "s" * 40


async def test_the_link_withdraws_its_participation_once(db: Database) -> None:
    campaign = await make_campaign()
    change = await join(campaign, await make_actor(), via=JoinVia.POLL_VOTE)
    _, _, number, token = withdraw_path(SECRET, change.participation).split("/")
    assert int(number) == change.participation.id
    first = await withdraw_by_link(SECRET, int(number), token)
    assert (first.changed, first.participation.state) == (True, ParticipationState.WITHDRAWN)
    assert (await Campaign.get(id=campaign.id)).participants_count == 0
    assert not (await withdraw_by_link(SECRET, int(number), token)).changed


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, number: (token[:-1] + ("A" if token[-1] != "A" else "B"), number),
        lambda token, number: (token, number + 1),  # another participation's id
        lambda token, number: ("", number),
        lambda token, number: ("x" * 10_000, number),
    ],
    ids=["altered", "other-participation", "empty", "oversized"],
)
async def test_a_wrong_link_names_nothing(db: Database, tamper: object) -> None:
    campaign = await make_campaign()
    mine = await join(campaign, await make_actor(), via=JoinVia.POLL_VOTE)
    await join(campaign, await make_actor(), via=JoinVia.POLL_VOTE)
    _, _, number, token = withdraw_path(SECRET, mine.participation).split("/")
    bad_token, bad_number = tamper(token, int(number))  # type: ignore[operator]
    with pytest.raises(NotFound):
        await participation_for(SECRET, bad_number, bad_token)
    with pytest.raises(NotFound):  # another instance's secret
        await participation_for("t" * 40, int(number), token)
    assert (await Campaign.get(id=campaign.id)).participants_count == 2
