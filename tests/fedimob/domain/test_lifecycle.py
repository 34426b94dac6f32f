from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.lifecycle import end_if_due, end_now, end_overdue
from fedimob.domain.participation import join
from fedimob.errors import InvalidTransition, PermissionDenied
from fedimob.jobs.worker import Worker
from fedimob.models import Campaign, CampaignState, Job, JobState, JoinVia, Outcome
from tests.fedimob.factories import make_account, make_actor, make_association, make_campaign


async def test_the_worker_ends_a_campaign_at_its_deadline_with_its_outcome(
    db: Database, worker: Worker
) -> None:
    now = utcnow()
    met = await make_campaign(goal_target=2, now=now, deadline=now + timedelta(hours=1))
    missed = await make_campaign(goal_target=3, now=now, deadline=now + timedelta(hours=1))
    for campaign in (met, missed):
        for _ in range(2):
            await join(campaign, await make_actor(), via=JoinVia.WEB, now=now)
    await worker.run_once(now=now + timedelta(minutes=59))  # announcements, counts
    assert (await Campaign.get(id=met.id)).state == CampaignState.PUBLISHED
    assert not await Job.filter(kind="campaign.deadline", state=JobState.DONE).exists()

    await worker.run_once(now=now + timedelta(hours=1, seconds=1))
    ended_met, ended_missed = await Campaign.get(id=met.id), await Campaign.get(id=missed.id)
    assert (ended_met.state, ended_met.outcome) == (CampaignState.ENDED, Outcome.SUCCEEDED)
    assert (ended_missed.state, ended_missed.outcome) == (CampaignState.ENDED, Outcome.MISSED)
    assert await Job.filter(state=JobState.DONE, kind="campaign.deadline").count() == 2


async def test_ending_is_idempotent_and_leaves_cancelled_campaigns_alone(db: Database) -> None:
    now = utcnow()
    campaign = await make_campaign(now=now, deadline=now + timedelta(hours=1))
    later = now + timedelta(hours=2)
    assert await end_if_due(campaign.id, now=later) is not None
    assert await end_if_due(campaign.id, now=later) is None
    assert await end_if_due(campaign.id + 1000, now=later) is None
    assert (await Campaign.get(id=campaign.id)).ended_at == later


async def test_the_safety_net_ends_overdue_campaigns_whose_job_was_lost(db: Database) -> None:
    now = utcnow()
    campaign = await make_campaign(now=now, deadline=now + timedelta(hours=1))
    await Job.all().delete()
    ended = await end_overdue(now=now + timedelta(hours=3))
    assert [c.id for c in ended] == [campaign.id]
    assert (await Campaign.get(id=campaign.id)).outcome == Outcome.MISSED


async def test_closing_early_ends_now_with_the_outcome_and_tells_participants(
    db: Database,
) -> None:
    now = utcnow()
    campaign = await make_campaign(goal_target=1, now=now, deadline=now + timedelta(days=3))
    await join(campaign, await make_actor(), via=JoinVia.WEB, now=now)
    closed = await end_now(campaign, now=now + timedelta(hours=1))
    assert (closed.state, closed.outcome) == (CampaignState.ENDED, Outcome.SUCCEEDED)
    assert closed.deadline == closed.ended_at == now + timedelta(hours=1)
    assert await Job.filter(kind="campaign.ended").count() == 1
    # The deadline job, at the old deadline, finds nothing to do.
    assert await end_if_due(campaign.id, now=now + timedelta(days=3, seconds=1)) is None
    with pytest.raises(InvalidTransition):
        await end_now(closed, now=now + timedelta(hours=2))


async def test_only_organisers_close_and_only_running_campaigns(db: Database) -> None:
    now = utcnow()
    owner = await make_account()
    draft = await make_campaign(await make_association(owner), publish=False, now=now)
    with pytest.raises(PermissionDenied):
        await end_now(draft, by=await make_account(), now=now)
    with pytest.raises(InvalidTransition):
        await end_now(draft, by=owner, now=now)
    assert (await Campaign.get(id=draft.id)).state == CampaignState.DRAFT
