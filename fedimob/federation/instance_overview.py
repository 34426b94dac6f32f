"""The key figures of the instance, for the admins' overview page."""

from __future__ import annotations

from dataclasses import dataclass

from fedimob.domain.moderation import open_report_count
from fedimob.federation.delivery_health import failing_hosts, queue_summary
from fedimob.federation.domain_blocks import blocked_count
from fedimob.models import Account, Campaign, CampaignState


@dataclass(frozen=True, slots=True)
class InstanceFigures:
    accounts: int  # active
    suspended_accounts: int
    campaigns_running: int
    reports_open: int
    hosts_failing: int
    hosts_unavailable: int
    domains_blocked: int
    jobs_pending: int  # due, scheduled or running
    jobs_failed: int


async def instance_figures() -> InstanceFigures:
    hosts = await failing_hosts()
    queue = await queue_summary()
    return InstanceFigures(
        accounts=await Account.filter(is_active=True).count(),
        suspended_accounts=await Account.filter(is_active=False).count(),
        campaigns_running=await Campaign.filter(state=CampaignState.PUBLISHED).count(),
        reports_open=await open_report_count(),
        hosts_failing=len(hosts),
        hosts_unavailable=sum(1 for host in hosts if host.unavailable),
        domains_blocked=await blocked_count(),
        jobs_pending=queue.pending,
        jobs_failed=queue.failed,
    )
