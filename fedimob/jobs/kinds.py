"""The job kinds of the application, registered in one place."""

from __future__ import annotations

from typing import Any

from fedimob.domain.account_deletion import ACCOUNT_DELETED_JOB
from fedimob.domain.campaigns import DEADLINE_JOB
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.password_mail import register_password_mail_jobs
from fedimob.federation.account_deletion import announce_account_deleted
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
    register_password_mail_jobs(registry, federation.settings)

    async def on_account_deleted(run: JobRun) -> None:
        await announce_account_deleted(federation, run)

    registry.register(ACCOUNT_DELETED_JOB)(on_account_deleted)
    return registry
