"""A host's delivery health is updated under its row lock: concurrent workers lose nothing."""

import asyncio

from activitypub.retry import Outcome, Verdict
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.hosts import breaker_open, health_of, note_delivery, note_inbound
from fedimob.models import RemoteHost

FAILED = Verdict(Outcome.RETRY, 503)
DELIVERED = Verdict(Outcome.SUCCESS, 202)


async def test_concurrent_failures_are_all_counted(db: Database) -> None:
    now = utcnow()
    await asyncio.gather(*(note_delivery("slow.example", FAILED, now=now) for _ in range(20)))
    health = await health_of("slow.example")
    assert health.failures == 20
    assert await breaker_open("slow.example", now=now)


async def test_a_healthy_host_costs_no_write(db: Database) -> None:
    now = utcnow()
    await note_delivery("fine.example", DELIVERED, now=now)
    await note_inbound("fine.example", now=now)
    assert not await breaker_open("fine.example", now=now)
    assert not await RemoteHost.exists(domain="fine.example")


async def test_success_and_inbound_requests_reset_the_count(db: Database) -> None:
    now = utcnow()
    for _ in range(3):
        await note_delivery("flaky.example", FAILED, now=now)
    await note_delivery("flaky.example", DELIVERED, now=now)
    assert (await health_of("flaky.example")).failures == 0
    await note_delivery("flaky.example", FAILED, now=now)
    await note_inbound("flaky.example", now=now)
    assert (await health_of("flaky.example")).failure_days == frozenset()
