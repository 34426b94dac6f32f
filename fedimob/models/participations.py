"""Participations: one row per (campaign, participant), whatever path they came by."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Actor
from fedimob.models.campaigns import Campaign
from fedimob.models.enums import JoinVia, ParticipationState


class Participation(Model):
    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="participations", on_delete=fields.CASCADE
    )
    participant: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="participations", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(ParticipationState, max_length=16)
    pledge_minutes = fields.IntField()
    via = fields.CharEnumField(JoinVia, max_length=16)
    listed = fields.BooleanField(default=False)
    message = fields.TextField(default="")
    # The remote activity that asked to join (Join, vote...), which our answer names.
    ap_id = fields.CharField(max_length=2048, null=True)
    # When the participant last asked (the `published` of their latest activity):
    # their server's deliveries can arrive out of order, the latest request wins.
    asked_at = fields.DatetimeField(null=True)
    reported_minutes = fields.IntField(null=True)
    reported_impact = fields.DecimalField(max_digits=20, decimal_places=2, null=True)
    reported_at = fields.DatetimeField(null=True)
    contribution_validated = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "participation"
        unique_together = (("campaign", "participant"),)
        indexes = (("campaign_id", "state"),)
