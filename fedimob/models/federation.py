"""Federation state: follows, what came in, what went out, and remote hosts."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedimob.models.accounts import Actor
from fedimob.models.enums import FollowState, InboxState


class Follow(Model):
    """`follower` follows `followed`: either side may be local or remote."""

    id = fields.BigIntField(primary_key=True)
    follower: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="following_rows", on_delete=fields.CASCADE
    )
    followed: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="follower_rows", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(FollowState, max_length=16)
    # The id of the Follow activity, so an Undo or Accept can name it.
    ap_id = fields.CharField(max_length=2048, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "follow"
        unique_together = (("follower", "followed"),)


class InboxItem(Model):
    """An activity received and verified, waiting to be (or already) processed.

    The unique `activity_id` is the deduplication: a replay is stored once.
    """

    id = fields.BigIntField(primary_key=True)
    activity_id = fields.CharField(max_length=2048, unique=True)
    activity_type = fields.CharField(max_length=64)
    actor_id = fields.CharField(max_length=2048)
    key_id = fields.CharField(max_length=2048)
    payload: dict[str, Any] = fields.JSONField()
    state = fields.CharEnumField(InboxState, max_length=16, default=InboxState.PENDING)
    error = fields.TextField(null=True)
    received_at = fields.DatetimeField(db_index=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_item"


class OutboxActivity(Model):
    """An activity one of our actors sent: its outbox, and what delivery jobs send."""

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=2048, unique=True)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="outbox", on_delete=fields.CASCADE
    )
    activity_type = fields.CharField(max_length=64)
    payload: dict[str, Any] = fields.JSONField()
    public = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "outbox_activity"


class RemoteHost(Model):
    """What we know of a remote server: a block, and its delivery health."""

    domain = fields.CharField(max_length=255, primary_key=True)
    blocked = fields.BooleanField(default=False)
    block_reason = fields.TextField(default="")
    blocked_at = fields.DatetimeField(null=True)
    # activitypub.retry.HostHealth, serialised.
    health: dict[str, Any] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "remote_host"


class Report(Model):
    """A `Flag` received: a report for the admins."""

    id = fields.BigIntField(primary_key=True)
    activity_id = fields.CharField(max_length=2048)
    reporter: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="reports", on_delete=fields.CASCADE
    )
    content = fields.TextField(default="")
    object_ids: list[str] = fields.JSONField(default=list)
    received_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "report"


class ActorBlock(Model):
    """A remote actor told us (with `Block`) that it blocks one of our actors."""

    id = fields.BigIntField(primary_key=True)
    blocker: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_made", on_delete=fields.CASCADE
    )
    blocked: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "models.Actor", related_name="blocks_received", on_delete=fields.CASCADE
    )
    ap_id = fields.CharField(max_length=2048)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_block"
        unique_together = (("blocker", "blocked"),)
