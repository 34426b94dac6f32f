"""Campaigns of other instances that this one shows (regions, followed associations)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Actor
from fedimob.models.enums import ParticipationState


class RemoteCampaign(Model):
    """A copy of another instance's campaign Event: its home instance is the authority.

    Created from an Event fetched from its own origin, refreshed by Updates
    signed by its owner, marked deleted by its owner's Delete.
    """

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=2048, unique=True)
    owner_id = fields.CharField(max_length=2048)
    domain = fields.CharField(max_length=300, db_index=True)
    title = fields.CharField(max_length=200)
    summary_html = fields.TextField(default="")
    url = fields.CharField(max_length=2048, default="")
    deadline = fields.DatetimeField(null=True, db_index=True)
    goal_kind = fields.CharField(max_length=16, default="")
    goal_target = fields.BigIntField(default=0)
    participants_count = fields.IntField(default=0)
    pledged_minutes = fields.BigIntField(default=0)
    local_participants = fields.IntField(default=0)
    # The owner's `countedAt` of the counts above: older documents are ignored.
    counted_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    fetched_at = fields.DatetimeField()
    # The Event's `published` (never later than when we first stored it; the fetch time
    # when it had none): "newest" orders by it. Always written; NULL only because SQLite
    # cannot add a NOT NULL column to a table with rows (the migration fills old rows).
    published_at = fields.DatetimeField(null=True)
    # Title and summary folded for discover's search (fedimob.domain.search_text).
    search_text = fields.TextField(default="", db_default="")
    # The Event's `pledgeOptions` in minutes, what joining from here offers. NULL when
    # unknown (copies older than migration 0006, Events that name none).
    pledge_options: list[int] | None = fields.JSONField(null=True)

    class Meta:
        table = "remote_campaign"


class RemoteJoin(Model):
    """A local person's participation in another instance's campaign.

    Our side of it: the home instance keeps the real participation row and
    answers our `Join` (named by `ap_id`) with Accept or Reject.
    """

    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[RemoteCampaign] = fields.ForeignKeyField(
        "models.RemoteCampaign", related_name="joins", on_delete=fields.CASCADE
    )
    participant: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="remote_joins", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(ParticipationState, max_length=16)
    pledge_minutes = fields.IntField()
    # Our latest Join's id: the answer names it. A new Join gets a new id.
    ap_id = fields.CharField(max_length=2048, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "remote_join"
        unique_together = (("campaign", "participant"),)
