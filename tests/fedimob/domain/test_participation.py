from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.participation import (
    MAX_IMPACT_TOTAL,
    decide,
    join,
    leave,
    report_contribution,
    validate_contribution,
)
from fedimob.domain.tally import recount, tally_of_campaign
from fedimob.errors import (
    InvalidTransition,
    JoinRefused,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from fedimob.models import (
    Campaign,
    GoalKind,
    JoinMode,
    JoinVia,
    Milestone,
    Participation,
    ParticipationState,
)
from tests.fedimob.factories import make_account, make_actor, make_association, make_campaign


async def fresh(campaign: Campaign) -> Campaign:
    reloaded = await Campaign.get(id=campaign.id)
    assert tally_of_campaign(reloaded) == await recount(campaign.id)
    return reloaded


async def test_joining_counts_once_however_often_it_is_repeated(db: Database) -> None:
    campaign = await make_campaign()
    actor = await make_actor()
    first = await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=60)
    again = await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=60)
    assert first.changed
    assert not again.changed
    state = await fresh(campaign)
    assert (state.participants_count, state.pledged_minutes) == (1, 60)
    assert await Participation.filter(campaign_id=campaign.id).count() == 1


async def test_a_join_is_dated_by_the_moment_given(db: Database) -> None:
    """Joins replayed with their own `now` (the demo's history) chart on their own day."""
    campaign = await make_campaign()
    earlier = utcnow() - timedelta(days=3)
    await join(campaign, await make_actor(), via=JoinVia.WEB, now=earlier)
    before = utcnow()
    await join(campaign, await make_actor(), via=JoinVia.WEB)
    dates = (
        await Participation.filter(campaign_id=campaign.id)
        .order_by("id")
        .values_list("created_at", flat=True)
    )
    assert dates[0] == earlier
    assert dates[1] >= before  # type: ignore[operator]


async def test_changing_the_pledge_moves_the_minutes_not_the_people(db: Database) -> None:
    campaign = await make_campaign()
    actor = await make_actor()
    await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=60)
    change = await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=240)
    assert change.changed
    state = await fresh(campaign)
    assert (state.participants_count, state.pledged_minutes) == (1, 240)


async def test_leaving_counts_once_and_rejoining_counts_again(db: Database) -> None:
    campaign = await make_campaign()
    actor = await make_actor()
    await join(campaign, actor, via=JoinVia.WEB)
    assert (await leave(campaign, actor)).changed
    assert not (await leave(campaign, actor)).changed
    state = await fresh(campaign)
    assert (state.participants_count, state.pledged_minutes) == (0, 0)
    await join(campaign, actor, via=JoinVia.CLI, pledge_minutes=240)
    state = await fresh(campaign)
    assert (state.participants_count, state.pledged_minutes) == (1, 240)


async def test_leaving_without_having_joined_is_not_found_and_changes_nothing(db: Database) -> None:
    campaign = await make_campaign()
    with pytest.raises(NotFound):
        await leave(campaign, await make_actor())
    assert (await fresh(campaign)).participants_count == 0


async def test_default_pledge_is_the_first_option_and_pledges_are_bounded(db: Database) -> None:
    campaign = await make_campaign(pledge_options=[30, 90])
    change = await join(campaign, await make_actor(), via=JoinVia.WEB)
    assert change.participation.pledge_minutes == 30
    for bad in (0, -60, 7 * 24 * 60 + 1):
        with pytest.raises(ValidationError):
            await join(campaign, await make_actor(), via=JoinVia.WEB, pledge_minutes=bad)
    assert (await fresh(campaign)).participants_count == 1


@pytest.mark.parametrize("state", ["draft", "cancelled", "past_deadline"])
async def test_closed_campaigns_refuse_joins_with_a_reason(db: Database, state: str) -> None:
    now = utcnow()
    campaign = await make_campaign(publish=state != "draft", now=now)
    if state == "cancelled":
        await cancel_campaign(campaign)
    moment = now + timedelta(days=8) if state == "past_deadline" else now
    with pytest.raises(JoinRefused) as refused:
        await join(campaign, await make_actor(), via=JoinVia.WEB, now=moment)
    assert refused.value.reason in {"not_published", "cancelled", "ended"}
    assert not await Participation.exists()


async def test_a_full_campaign_refuses_newcomers_but_keeps_its_members(db: Database) -> None:
    campaign = await make_campaign(goal_target=2, capacity=2)
    first, second, third = await make_actor(), await make_actor(), await make_actor()
    await join(campaign, first, via=JoinVia.WEB)
    await join(campaign, second, via=JoinVia.WEB)
    with pytest.raises(JoinRefused) as refused:
        await join(campaign, third, via=JoinVia.WEB)
    assert refused.value.reason == "full"
    # A member may still change their pledge when the campaign is full.
    assert (await join(campaign, first, via=JoinVia.WEB, pledge_minutes=240)).changed
    await leave(campaign, second)
    await join(campaign, third, via=JoinVia.WEB)
    assert (await fresh(campaign)).participants_count == 2


async def test_approval_mode_counts_people_only_once_accepted(db: Database) -> None:
    owner = await make_account()
    campaign = await make_campaign(await make_association(owner), join_mode=JoinMode.APPROVAL)
    asking, declined = await make_actor(), await make_actor()
    request = (await join(campaign, asking, via=JoinVia.WEB)).participation
    other = (await join(campaign, declined, via=JoinVia.WEB)).participation
    assert request.state == ParticipationState.REQUESTED
    state = await fresh(campaign)
    assert (state.participants_count, state.requested_count) == (0, 2)

    with pytest.raises(PermissionDenied):
        await decide(request, accept=True, by=await make_account())
    assert (await decide(request, accept=True, by=owner)).changed
    assert not (await decide(request, accept=True, by=owner)).changed
    await decide(other, accept=False, by=owner)
    state = await fresh(campaign)
    assert (state.participants_count, state.requested_count) == (1, 0)

    with pytest.raises(JoinRefused) as refused:
        await join(campaign, declined, via=JoinVia.WEB)
    assert refused.value.reason == "rejected"
    with pytest.raises(InvalidTransition):
        await decide(other, accept=True, by=owner)


async def test_milestones_are_recorded_once_as_they_are_crossed(db: Database) -> None:
    now = utcnow()
    campaign = await make_campaign(goal_target=4, now=now)
    people = [await make_actor() for _ in range(5)]
    for index, person in enumerate(people[:2]):
        await join(campaign, person, via=JoinVia.WEB, now=now + timedelta(minutes=index))
    reached = {m.percent: m.reached_at for m in await Milestone.filter(campaign_id=campaign.id)}
    assert set(reached) == {25, 50}
    assert reached[50] == now + timedelta(minutes=1)
    await leave(campaign, people[1], now=now + timedelta(minutes=5))
    await join(campaign, people[1], via=JoinVia.WEB, now=now + timedelta(minutes=6))
    for person in people[2:]:
        await join(campaign, person, via=JoinVia.WEB, now=now + timedelta(minutes=7))
    percents = await Milestone.filter(campaign_id=campaign.id).values_list("percent", flat=True)
    assert sorted(percents) == [25, 50, 75, 100]
    assert (await Milestone.get(campaign_id=campaign.id, percent=50)).reached_at == reached[50]


async def test_hours_goal_progresses_with_pledged_time(db: Database) -> None:
    campaign = await make_campaign(goal_kind=GoalKind.HOURS, goal_target=8)
    await join(campaign, await make_actor(), via=JoinVia.WEB, pledge_minutes=240)
    percents = await Milestone.filter(campaign_id=campaign.id).values_list("percent", flat=True)
    assert sorted(percents) == [25, 50]


async def test_reported_contributions_add_impact_and_can_be_validated(db: Database) -> None:
    owner = await make_account()
    campaign = await make_campaign(
        await make_association(owner), goal_kind=GoalKind.IMPACT, goal_target=1000,
        impact_unit="e-mails deleted",
    )  # fmt: skip
    actor = await make_actor()
    await join(campaign, actor, via=JoinVia.WEB)
    await report_contribution(campaign, actor, minutes=45, impact=600)
    await report_contribution(campaign, actor, minutes=50, impact="800.5")  # replaces the first
    state = await fresh(campaign)
    assert (state.reported_minutes, float(state.impact_total)) == (50, 800.5)
    row = await Participation.get(campaign_id=campaign.id)
    assert (await validate_contribution(row, by=owner)).changed
    assert not (await validate_contribution(row, by=owner)).changed
    with pytest.raises(PermissionDenied):
        await validate_contribution(row, by=await make_account())
    await leave(campaign, actor)
    state = await fresh(campaign)
    assert (state.reported_minutes, float(state.impact_total)) == (0, 0)


@pytest.mark.parametrize(
    ("minutes", "impact"),
    [(-1, None), (10**9, None), (None, -5), (None, "NaN"), (None, "lots"), (None, None)],
)
async def test_hostile_contribution_reports_are_refused(
    db: Database, minutes: int | None, impact: object
) -> None:
    campaign = await make_campaign()
    actor = await make_actor()
    await join(campaign, actor, via=JoinVia.WEB)
    with pytest.raises(ValidationError):
        await report_contribution(campaign, actor, minutes=minutes, impact=impact)  # type: ignore[arg-type]
    assert (await fresh(campaign)).reported_minutes == 0


async def test_a_report_that_would_overflow_the_campaigns_total_is_refused(
    db: Database,
) -> None:
    """The total holds less than 10^18; a thousand reports of 10^15 each would pass it."""
    campaign = await make_campaign(goal_kind=GoalKind.IMPACT, impact_unit="e-mails deleted")
    first, second = await make_actor(), await make_actor()
    for person in (first, second):
        await join(campaign, person, via=JoinVia.WEB)
    await report_contribution(campaign, first, minutes=None, impact=10**15)
    near_the_limit = MAX_IMPACT_TOTAL - 10**15 + 1
    await Campaign.filter(id=campaign.id).update(impact_total=near_the_limit)
    with pytest.raises(ValidationError) as refused:
        await report_contribution(campaign, second, minutes=None, impact=10**15)
    assert refused.value.field == "impact_total"
    # (Campaign.get, not fresh(): the total was set by hand, past what the rows recount.)
    assert (await Campaign.get(id=campaign.id)).impact_total == near_the_limit
    assert (await Participation.get(participant_id=second.id)).reported_at is None
    # Lowering one's own report is always possible: it brings the total down.
    await report_contribution(campaign, first, minutes=None, impact=1)
    assert (await Campaign.get(id=campaign.id)).impact_total == near_the_limit - 10**15 + 1


async def test_oversized_message_is_refused(db: Database) -> None:
    campaign = await make_campaign()
    with pytest.raises(ValidationError):
        await join(campaign, await make_actor(), via=JoinVia.WEB, message="x" * 2001)
    assert not await Participation.exists()
