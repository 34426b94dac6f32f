"""The composition root: builds the ASGI application of one fedimob instance.

It is the one module of `fedimob` allowed to import `web` (see the import
contracts in pyproject.toml): it wires the database, the in-process worker and
the HTML front end together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from fedimob.db import Database
from fedimob.domain.sessions import purge_expired_sessions
from fedimob.federation.collections import collection_routes
from fedimob.federation.context import Federation, make_client
from fedimob.federation.discovery import discovery_routes
from fedimob.federation.endpoints import object_routes
from fedimob.federation.inbox import inbox_routes
from fedimob.federation.inbox_writer import InboxWriter
from fedimob.federation.keys import KeyFetchGuard
from fedimob.federation.ratelimit import InFlight, TokenBuckets
from fedimob.federation.retention import purge_inbox
from fedimob.jobs.kinds import default_registry
from fedimob.jobs.worker import Worker
from fedimob.settings import Settings
from web.routes import web_routes
from web.security import SecurityHeadersMiddleware


class DatabaseMiddleware:
    """Runs every request with this instance's database active.

    Several instances can share a process (federation tests), so the database
    is chosen per request rather than globally.
    """

    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.database.activate():
            await self.app(scope, receive, send)


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    run_worker: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The ASGI app; its lifespan connects the database and starts the worker.

    `transport` replaces the network under the safe client (tests route
    several in-process instances through it).
    """
    db = database or Database(settings.database_url)
    inbox_writer = InboxWriter()
    federation = Federation(settings, make_client(settings, transport))
    worker = Worker(
        default_registry(federation),
        job_timeout=settings.job_timeout_seconds,
        poll_seconds=settings.worker_poll_seconds,
        maintenance=[purge_inbox, purge_expired_sessions],
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.connect()
        try:
            with db.activate():
                task = asyncio.create_task(worker.run()) if run_worker else None
                try:
                    yield
                finally:
                    await inbox_writer.close()
                    if task is not None:
                        worker.stop()
                        await task
        finally:
            await federation.client.aclose()
            await db.close()

    app = Starlette(
        # Federation routes first: the negotiating ones share paths with web pages.
        routes=[
            *discovery_routes(),
            *inbox_routes(),
            *collection_routes(),
            *object_routes(),
            *web_routes(page_cache_seconds=settings.page_cache_seconds),
        ],
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(DatabaseMiddleware, database=db),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.worker = worker
    app.state.federation = federation
    app.state.inbox_limiter = TokenBuckets()  # per verified remote host
    app.state.inbox_in_flight = InFlight()
    app.state.inbox_ip_limiter = TokenBuckets(rate=3000.0, burst=30_000.0)  # per client address
    app.state.inbox_writer = inbox_writer
    app.state.key_guard = KeyFetchGuard()
    return app
