"""Several fedimob instances in one process, each its own app and database.

They reach each other (and fake Mastodon peers) through one `FakeFediverse`
that routes by host name to each app's `httpx.ASGITransport`. Workers are
driven with `drain()`: every instance's `run_once()` until nothing is due;
`settle()` also lets time pass (retries, coalesced count updates) until no
job is due within a horizon.
"""

from __future__ import annotations

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
    def __init__(self, fediverse: FakeFediverse) -> None:
        self.fediverse = fediverse
        self.instances: list[Instance] = []
        # How far the workers' clock is ahead of the real one (see `settle`).
        self.skew = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.skew

    async def drain(self, rounds: int = 20) -> None:
        """Run every worker until a whole round does nothing (bounded)."""
        for _ in range(rounds):
            ran = [await instance.run_worker(self.now()) for instance in self.instances]
            if sum(ran) == 0:
                return
        raise AssertionError(f"workers still busy after {rounds} rounds")

    async def settle(self, horizon: timedelta = timedelta(days=3), rounds: int = 500) -> None:
        """Drain, then jump the workers' clock to the next pending job, until none is due
        within `horizon` (deliveries retry over two days; deadlines lie further away).
        """
        limit = self.now() + horizon
        for _ in range(rounds):
            await self.drain()
            due = [at for i in self.instances if (at := await i.next_job_at(limit)) is not None]
            if not due:
                return
            self.skew = max(self.skew, min(due) - utcnow() + timedelta(milliseconds=1))
        raise AssertionError(f"not settled after {rounds} rounds")


@asynccontextmanager
async def instance_in(
    network: Network, host: str, database: Database, secret: str
) -> AsyncIterator[Instance]:
    settings = Settings(url=f"https://{host}", database_url=database.url, secret_key=secret)
    app = create_app(
        settings, database=database, run_worker=False, transport=network.fediverse.transport()
    )
    network.fediverse.mount(host, httpx.ASGITransport(app=app))
    await database.connect()
    instance = Instance(host, settings, database, app)
    network.instances.append(instance)
    try:
        yield instance
    finally:
        await app.state.federation.client.aclose()
        await database.close()


__all__ = ["Instance", "Network", "instance_in"]
