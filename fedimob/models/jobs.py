"""The persistent job queue: one table for every piece of deferred work."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from fedimob.models.enums import JobState


class Job(Model):
    """A unit of deferred work, claimed by one worker at a time.

    A running job whose `locked_until` has passed is considered abandoned (its
    worker died) and may be claimed again.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    # Coalescing: at most one pending job per key (e.g. one count update per campaign).
    key = fields.CharField(max_length=200, null=True, db_index=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    state = fields.CharEnumField(JobState, max_length=16, default=JobState.PENDING)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=10)
    # Higher first among due jobs: a count update must not wait behind 5,000 messages.
    # db_default: the column was added to tables that already had rows (0004).
    priority = fields.SmallIntField(default=0, db_default=0)
    run_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    locked_by = fields.CharField(max_length=100, null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (("state", "run_at"), ("state", "priority", "run_at"))
