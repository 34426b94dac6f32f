"""In-app notices for local people: what the Fediverse tells others by direct message."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Account


class Notice(Model):
    """One line for a person's notice list: a reminder, an outcome, an answer to a join."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="notices", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    text = fields.TextField()
    # A page of this instance or of the campaign's home instance.
    url = fields.CharField(max_length=2048, default="")
    # At most one notice per key (a reminder per campaign), so retries add nothing.
    key = fields.CharField(max_length=200, null=True, unique=True)
    created_at = fields.DatetimeField(db_index=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notice"
        indexes = (("account_id", "read_at"),)
