"""Web sessions, kept on the server, and the instance's own settings."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Account


class WebSession(Model):
    """A browser's session: the cookie holds a random token, this row its hash.

    Anonymous visitors get one too (their CSRF token and language).
    """

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    data: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "web_session"


class InstanceSetting(Model):
    """One setting an admin can change (name, description, registrations...)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value: Any = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "instance_setting"
