"""Several fedimob instances in one process, each its own app and database.

They reach each other (and fake Mastodon peers) through one `FakeFediverse`
that routes by host name to each app's `httpx.ASGITransport`. Workers are
driven with `drain()`: every instance's `run_once()` until nothing is due;
`settle()` also lets time pass (retries, coalesced count updates) until no
job is due within a horizon.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import httpx
from starlette.applications import Starlette

from activitypub.testing import FakeFediverse
from fedimob.app import create_app
from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.context import Federation
from fedimob.models import Job, JobState
from fedimob.settings import Settings
from tests.federation.faults import FaultyNetwork

T = TypeVar("T")


@dataclass
class Instance:
    host: str
    settings: Settings
    database: Database
    app: Starlette

    @property
    def federation(self) -> Federation:
        federation: Federation = self.app.state.federation
        return federation

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` with this instance's database active (its CLI, its services)."""
        with self.database.activate():
            return await work()

    async def run_worker(self, now: datetime | None = None) -> int:
        with self.database.activate():
            ran: int = (await self.app.state.worker.run_once(now=now)).ran
            return ran

    async def next_job_at(self, before: datetime) -> datetime | None:
        """When the earliest job pending before `before` is due (None: nothing is)."""
        with self.database.activate():
            pending = Job.filter(state=JobState.PENDING, run_at__lt=before)
            job = await pending.order_by("run_at").first()
            return job.run_at if job is not None else None

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=self.settings.url
        )


class Network:
    def __init__(self, fediverse: FakeFediverse, faults: FaultyNetwork | None = None) -> None:
        self.fediverse = fediverse
        self.faults = faults
        self.instances: list[Instance] = []
        # How far the workers' clock is ahead of the real one (see `settle`).
        self.skew = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.skew

    def transport(self) -> httpx.AsyncBaseTransport:
        """What the instances send through: the fediverse, behind the faults if any."""
        return self.faults.transport() if self.faults else self.fediverse.transport()

    async def drain(self, rounds: int = 50) -> None:
        """Run every worker (and release held deliveries) until a round does nothing."""
        for _ in range(rounds):
            ran = [await instance.run_worker(self.now()) for instance in self.up()]
            released = await self.faults.release() if self.faults else 0
            if sum(ran) + released == 0:
                return
        raise AssertionError(f"workers still busy after {rounds} rounds")

    def up(self) -> list[Instance]:
        """The instances running (a host that is down runs nothing)."""
        down = self.faults.down if self.faults else set()
        return [instance for instance in self.instances if instance.host not in down]

    async def restart(self, instance: Instance) -> None:
        """A new app on the same database: every cache and in-memory state is lost."""
        await instance.app.state.federation.client.aclose()
        await instance.database.close()
        instance.app = _app(self, instance.host, instance.settings, instance.database)
        await instance.database.connect()

    async def settle(self, horizon: timedelta = timedelta(days=3), rounds: int = 500) -> None:
        """Drain, then jump the workers' clock to the next pending job, until none is due
        within `horizon` (deliveries retry over two days; deadlines lie further away).
        """
        limit = self.now() + horizon
        for _ in range(rounds):
            await self.drain()
            due = [at for i in self.up() if (at := await i.next_job_at(limit)) is not None]
            if self.faults and self.faults.holding:
                # Deliveries refused for now (a key not fetchable yet): time passes.
                due.append(self.now() + timedelta(minutes=5))
            if not due:
                return
            self.skew = max(self.skew, min(due) - utcnow() + timedelta(milliseconds=1))
        raise AssertionError(f"not settled after {rounds} rounds")


def _app(network: Network, host: str, settings: Settings, database: Database) -> Starlette:
    app = create_app(settings, database=database, run_worker=False, transport=network.transport())
    network.fediverse.mount(host, httpx.ASGITransport(app=app))
    # In-memory caches expire on the network's clock, which `settle` moves forward.
    app.state.key_guard.clock = lambda: time.monotonic() + network.skew.total_seconds()
    return app


@asynccontextmanager
async def instance_in(
    network: Network, host: str, database: Database, secret: str
) -> AsyncIterator[Instance]:
    settings = Settings(url=f"https://{host}", database_url=database.url, secret_key=secret)
    app = _app(network, host, settings, database)
    await database.connect()
    instance = Instance(host, settings, database, app)
    network.instances.append(instance)
    try:
        yield instance
    finally:
        await instance.app.state.federation.client.aclose()
        await database.close()


__all__ = ["Instance", "Network", "instance_in"]
