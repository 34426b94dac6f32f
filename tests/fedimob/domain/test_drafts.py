from dataclasses import replace
from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaign_input import CampaignInput
from fedimob.domain.drafts import revise_draft
from fedimob.errors import InvalidTransition, PermissionDenied, ValidationError
from fedimob.models import Campaign, CampaignKind, GoalKind, Job, JoinMode
from tests.fedimob.factories import make_account, make_association, make_campaign


def _input(**changes: object) -> CampaignInput:
    data = CampaignInput(
        slug="ignored",
        title="Revised",
        summary="Now with a summary",
        description="**Bold** plan",
        goal_kind=GoalKind.HOURS,
        goal_target=100,
        deadline=utcnow() + timedelta(days=10),
        kind=CampaignKind.PHYSICAL,
        address="Place Royale",
        starts_at=utcnow() + timedelta(days=12),
        pledge_options=[30, 90],
        capacity=10,
        join_mode=JoinMode.APPROVAL,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


async def test_a_draft_takes_every_field_but_keeps_its_slug(db: Database) -> None:
    owner = await make_account()
    draft = await make_campaign(await make_association(owner), publish=False)
    revised = await revise_draft(draft, _input(), by=owner)
    stored = await Campaign.get(id=draft.id)
    assert stored.slug == draft.slug == revised.slug
    assert (stored.title, stored.goal_kind, stored.goal_target) == ("Revised", GoalKind.HOURS, 100)
    assert (stored.kind, stored.address, stored.join_mode) == (
        CampaignKind.PHYSICAL,
        "Place Royale",
        JoinMode.APPROVAL,
    )
    assert stored.pledge_options == [30, 90]
    assert stored.description_html == "<p><strong>Bold</strong> plan</p>\n"
    actor = await stored.actor
    assert (actor.display_name, actor.summary) == ("Revised", "Now with a summary")
    assert not await Job.exists()  # nothing federated for a draft


async def test_revising_checks_the_rules_the_role_and_the_state(db: Database) -> None:
    owner = await make_account()
    association = await make_association(owner)
    draft = await make_campaign(association, publish=False, title="Before")
    with pytest.raises(ValidationError) as refused:
        await revise_draft(draft, _input(goal_target=0), by=owner)
    assert refused.value.field == "goal_target"
    with pytest.raises(PermissionDenied):
        await revise_draft(draft, _input(), by=await make_account())
    assert (await Campaign.get(id=draft.id)).title == "Before"
    published = await make_campaign(association)
    with pytest.raises(InvalidTransition):
        await revise_draft(published, _input(), by=owner)
