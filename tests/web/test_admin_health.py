"""/admin/health: failing servers from their recorded health, and the job queue."""

from datetime import UTC, datetime, timedelta

import httpx

from activitypub.retry import HostHealth, record_failure
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.hosts import block
from fedimob.federation.outbox import DELIVER_JOB
from fedimob.jobs.queue import enqueue
from fedimob.models import Job, JobState, RemoteHost
from tests.web.admins import log_in_admin
from tests.web.instance import set_profile


def failing(days: int, per_day: int = 1) -> dict[str, object]:
    health = HostHealth()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for day in range(days):
        for _ in range(per_day):
            health = record_failure(health, start + timedelta(days=day))
    return health.to_dict()


async def test_failing_hosts_and_the_queue_are_shown(
    client: httpx.AsyncClient, db: Database
) -> None:
    await RemoteHost.create(domain="down.example", health=failing(7))
    await RemoteHost.create(domain="flaky.example", health=failing(1, per_day=6))
    await RemoteHost.create(domain="fine.example", health=HostHealth().to_dict())
    await block("spam.example")
    now = utcnow()
    await enqueue(DELIVER_JOB, {"activity": 1, "inbox": "https://flaky.example/inbox"},
                  run_at=now - timedelta(minutes=30))  # fmt: skip
    await Job.filter(kind=DELIVER_JOB).update(last_error="https://flaky.example/inbox: 503")
    await enqueue("campaign.deadline", {"campaign_id": 1}, run_at=now + timedelta(days=3))
    failed = await enqueue("campaign.deadline", {"campaign_id": 2})
    await Job.filter(id=failed.id).update(state=JobState.FAILED, finished_at=now)
    await log_in_admin(client)

    page = (await client.get("/admin/health")).text
    hosts = page.split('id="hosts"', 1)[1].split('id="queue"', 1)[0]
    assert "down.example" in hosts
    assert "flaky.example" in hosts
    assert "fine.example" not in hosts
    assert "spam.example" not in hosts
    assert hosts.index("down.example") < hosts.index("flaky.example")  # the worst first
    assert "unavailable" in hosts
    assert "paused" in hosts  # flaky: 6 failures in a row opened the breaker
    assert "Nov 7, 2026" in hosts  # down's last failure day
    assert "https://flaky.example/inbox: 503" in hosts
    assert "Domains blocked: 1" in page

    queue = page.split('id="queue"', 1)[1]
    assert "Jobs to do: 2. Failed: 1" in queue
    assert "Longest wait of a job due: 30 min." in queue
    deliveries = queue.split(f"<code>{DELIVER_JOB}</code>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<", 1)[0] for cell in deliveries.split("<td>")[1:]] == ["1", "0", "0", "0"]
    deadlines = queue.split("<code>campaign.deadline</code>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<", 1)[0] for cell in deadlines.split("<td>")[1:]] == ["0", "1", "0", "1"]

    overview = (await client.get("/admin")).text
    figures = [part.split("<", 1)[0] for part in overview.split('class="figure">')[1:]]
    # accounts, campaigns, reports, hosts failing, blocked, jobs pending
    assert figures == ["1", "0", "0", "2", "1", "2"]
    assert "unavailable: 1" in overview
    assert "failed: 1" in overview


async def test_a_quiet_instance(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_admin(client)
    page = (await client.get("/admin/health")).text
    assert "No server is failing." in page
    assert "No job is waiting." in page


async def test_a_failure_day_is_the_day_it_was_counted_on_in_any_time_zone(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Failure days are UTC days: a zone west of UTC must not show the day before."""
    await set_profile(time_zone="America/New_York")
    await RemoteHost.create(domain="down.example", health=failing(7))
    await log_in_admin(client)
    hosts = (await client.get("/admin/health")).text.split('id="hosts"', 1)[1]
    assert "Nov 7, 2026" in hosts
    assert "Nov 6, 2026" not in hosts
