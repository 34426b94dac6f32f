from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import (
    DEADLINE_JOB,
    cancel_campaign,
    get_campaign,
    post_update,
    publish_campaign,
)
from fedimob.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from fedimob.models import Campaign, CampaignState, Handle, Job
from tests.fedimob.factories import make_account, make_association, make_campaign


async def test_publishing_queues_the_deadline_job_in_the_same_transaction(db: Database) -> None:
    campaign = await make_campaign(publish=False)
    assert campaign.state == CampaignState.DRAFT
    assert not await Job.exists(kind=DEADLINE_JOB)
    published = await publish_campaign(campaign)
    assert published.state == CampaignState.PUBLISHED
    assert published.published_at is not None
    job = await Job.get(kind=DEADLINE_JOB)
    assert job.payload == {"campaign_id": campaign.id}
    assert job.run_at == published.deadline


async def test_publishing_twice_is_refused(db: Database) -> None:
    campaign = await make_campaign()
    with pytest.raises(InvalidTransition, match="not a draft"):
        await publish_campaign(campaign)
    assert await Job.filter(kind=DEADLINE_JOB).count() == 1


async def test_a_draft_whose_deadline_passed_cannot_be_published(db: Database) -> None:
    now = utcnow()
    campaign = await make_campaign(publish=False, now=now, deadline=now + timedelta(hours=1))
    with pytest.raises(ValidationError, match="future"):
        await publish_campaign(campaign, now=now + timedelta(hours=2))
    assert (await Campaign.get(id=campaign.id)).state == CampaignState.DRAFT


async def test_failed_creation_leaves_nothing_behind(db: Database) -> None:
    association = await make_association()
    with pytest.raises(ValidationError):
        await make_campaign(association, slug="ok_slug", goal_target=0)
    assert not await Handle.exists(name="ok_slug")
    assert not await Campaign.exists()


async def test_cancel_from_draft_or_published_but_not_after_the_end(db: Database) -> None:
    draft = await make_campaign(publish=False)
    assert (await cancel_campaign(draft)).state == CampaignState.CANCELLED
    running = await make_campaign()
    cancelled = await cancel_campaign(running)
    assert cancelled.cancelled_at is not None
    with pytest.raises(InvalidTransition):
        await cancel_campaign(cancelled)


async def test_only_organisers_act_on_their_campaigns(db: Database) -> None:
    owner = await make_account()
    stranger = await make_account()
    campaign = await make_campaign(await make_association(owner), publish=False)
    with pytest.raises(PermissionDenied):
        await publish_campaign(campaign, by=stranger)
    with pytest.raises(PermissionDenied):
        await cancel_campaign(campaign, by=stranger)
    assert (await publish_campaign(campaign, by=owner)).state == CampaignState.PUBLISHED
    with pytest.raises(PermissionDenied):
        await post_update(campaign, by=stranger, body="hi")


async def test_news_posts_are_rendered_and_sanitised(db: Database) -> None:
    owner = await make_account()
    campaign = await make_campaign(await make_association(owner))
    update = await post_update(campaign, by=owner, body="**Thanks!** <img src=x onerror=1>")
    assert "<strong>Thanks!</strong>" in update.body_html
    assert "<img" not in update.body_html
    with pytest.raises(ValidationError):
        await post_update(campaign, by=owner, body="   ")


async def test_unknown_campaign_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        await get_campaign("nothing_here")
