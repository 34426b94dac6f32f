"""Campaigns, their news posts and the milestones they reach."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Account, Actor
from fedimob.models.associations import Association
from fedimob.models.enums import CampaignKind, CampaignState, GoalKind, JoinMode, Outcome


class Campaign(Model):
    """An action anyone can do, a goal, a deadline.

    The counters (`participants_count`, `pledged_minutes`, ...) are derived from
    participation rows and updated in the same transaction as those rows, under
    a lock on this row (see `fedimob.domain.participation`).
    """

    id = fields.BigIntField(primary_key=True)
    association: fields.ForeignKeyRelation[Association] = fields.ForeignKeyField(
        "models.Association", related_name="campaigns", on_delete=fields.RESTRICT
    )
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="campaign", on_delete=fields.RESTRICT
    )
    slug = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=500, default="")
    description_md = fields.TextField(default="")
    description_html = fields.TextField(default="")
    categories: list[str] = fields.JSONField(default=list)
    language = fields.CharField(max_length=16, default="en")
    kind = fields.CharEnumField(CampaignKind, max_length=16, default=CampaignKind.DIGITAL)
    # Physical actions: where and when.
    address = fields.CharField(max_length=500, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    # Digital actions: how.
    instructions_url = fields.CharField(max_length=2048, default="")
    goal_kind = fields.CharEnumField(GoalKind, max_length=16)
    goal_target = fields.BigIntField()
    impact_unit = fields.CharField(max_length=100, default="")
    # [{"quantity": "energy", "unit": "kWh", "per_unit": 0.0003, "source": "..."}]
    conversions: list[dict[str, object]] = fields.JSONField(default=list)
    pledge_options: list[int] = fields.JSONField(default=list)
    capacity = fields.IntField(null=True)
    join_mode = fields.CharEnumField(JoinMode, max_length=16, default=JoinMode.FREE)
    state = fields.CharEnumField(
        CampaignState, max_length=16, default=CampaignState.DRAFT, db_index=True
    )
    outcome = fields.CharEnumField(Outcome, max_length=16, null=True)
    deadline = fields.DatetimeField(db_index=True)
    published_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    # Last change of what the campaign says (not of its counts): the Event's `updated`.
    edited_at = fields.DatetimeField(null=True)
    participants_count = fields.IntField(default=0)
    requested_count = fields.IntField(default=0)
    pledged_minutes = fields.BigIntField(default=0)
    reported_minutes = fields.BigIntField(default=0)
    impact_total = fields.DecimalField(max_digits=20, decimal_places=2, default=0)
    # What discover's search reads: title, summary, association, place and categories,
    # folded (fedimob.domain.search_text). Written with them, in the same save.
    search_text = fields.TextField(default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "campaign"


class CampaignUpdate(Model):
    """A news post by the organisers."""

    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="updates", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="campaign_updates", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200, default="")
    body_md = fields.TextField()
    body_html = fields.TextField()
    published_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "campaign_update"


class Milestone(Model):
    """A share of the goal (25, 50, 75, 100 %) and when it was first reached."""

    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="milestones", on_delete=fields.CASCADE
    )
    percent = fields.SmallIntField()
    reached_at = fields.DatetimeField()

    class Meta:
        table = "milestone"
        unique_together = (("campaign", "percent"),)
