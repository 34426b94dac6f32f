"""Associations (the organisers' collective) and their members."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Account, Actor
from fedimob.models.enums import MemberRole


class Association(Model):
    id = fields.BigIntField(primary_key=True)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="association", on_delete=fields.RESTRICT
    )
    username = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    description_md = fields.TextField(default="")
    description_html = fields.TextField(default="")
    website = fields.CharField(max_length=2048, default="")
    region = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "association"


class Membership(Model):
    id = fields.BigIntField(primary_key=True)
    association: fields.ForeignKeyRelation[Association] = fields.ForeignKeyField(
        "models.Association", related_name="memberships", on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(MemberRole, max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("association", "account"),)
