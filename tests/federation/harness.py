"""Several fedimob instances in one process, each its own app and database.

They reach each other (and fake Mastodon peers) through one `FakeFediverse`
that routes by host name to each app's `httpx.ASGITransport`. Workers are
driven with `drain()`: every instance's `run_once()` until nothing is left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx
from starlette.applications import Starlette

from activitypub.testing import FakeFediverse
from fedimob.app import create_app
from fedimob.db import Database
from fedimob.federation.context import Federation
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

    async def run_worker(self) -> int:
        with self.database.activate():
            return (await self.app.state.worker.run_once()).ran

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=self.settings.url
        )


class Network:
    def __init__(self, fediverse: FakeFediverse) -> None:
        self.fediverse = fediverse
        self.instances: list[Instance] = []

    async def drain(self, rounds: int = 20) -> None:
        """Run every worker until a whole round does nothing (bounded)."""
        for _ in range(rounds):
            if sum([await instance.run_worker() for instance in self.instances]) == 0:
                return
        raise AssertionError(f"workers still busy after {rounds} rounds")


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
