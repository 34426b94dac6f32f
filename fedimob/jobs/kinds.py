"""The job kinds of the application, registered in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedimob.domain.campaigns import DEADLINE_JOB
from fedimob.domain.lifecycle import end_if_due
from fedimob.jobs.registry import JobRegistry, PermanentJobError


def _campaign_id(payload: dict[str, Any]) -> int:
    value = payload.get("campaign_id")
    if not isinstance(value, int):
        raise PermanentJobError(f"payload has no campaign_id: {payload!r}")
    return value


async def on_deadline(payload: dict[str, Any], now: datetime) -> None:
    await end_if_due(_campaign_id(payload), now=now)


def default_registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register(DEADLINE_JOB)(on_deadline)
    return registry
