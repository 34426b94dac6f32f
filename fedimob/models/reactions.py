"""Support (Like) and shares (Announce) of a campaign, one per actor and kind."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Actor
from fedimob.models.campaigns import Campaign
from fedimob.models.enums import ReactionKind


class Reaction(Model):
    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="reactions", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="reactions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReactionKind, max_length=16)
    # The Like or Announce, so its Undo can name it.
    ap_id = fields.CharField(max_length=2048, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reaction"
        unique_together = (("campaign", "actor", "kind"),)
