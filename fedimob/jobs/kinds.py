"""The job kinds of the application, registered in one place."""

from __future__ import annotations

from typing import Any

from fedimob.domain.campaigns import DEADLINE_JOB
from fedimob.domain.lifecycle import end_if_due
from fedimob.federation.context import Federation
from fedimob.federation.registry import register_federation_jobs
from fedimob.jobs.registry import JobRegistry, JobRun, PermanentJobError


def _campaign_id(payload: dict[str, Any]) -> int:
    value = payload.get("campaign_id")
    if not isinstance(value, int):
        raise PermanentJobError(f"payload has no campaign_id: {payload!r}")
    return value


async def on_deadline(run: JobRun) -> None:
    await end_if_due(_campaign_id(run.payload), now=run.now)


def default_registry(federation: Federation) -> JobRegistry:
    registry = JobRegistry()
    registry.register(DEADLINE_JOB)(on_deadline)
    register_federation_jobs(registry, federation)
    return registry
