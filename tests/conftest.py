"""Test fixtures shared by the whole suite: databases on SQLite or PostgreSQL.

The suite runs on SQLite; when FEDIMOB_TEST_DATABASE_URL points at a
PostgreSQL database, it runs there instead, inside a schema of its own that is
dropped at the end, so the database is left as it was found.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from starlette.applications import Starlette

from activitypub.testing import FakeFediverse
from fedimob.app import create_app
from fedimob.db import Database
from fedimob.federation.context import Federation, make_client
from fedimob.jobs.worker import Worker
from fedimob.settings import Settings, normalise_database_url

TEST_PG_URL = os.environ.get("FEDIMOB_TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-key-" + "x" * 32

# Timing is not what property tests check (benchmarks do that), so no deadline;
# in CI the examples are derandomised so a run is reproducible.
hypothesis_settings.register_profile(
    "fedimob",
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("fedimob")


def pytest_report_header() -> str:
    return f"fedimob database: {'PostgreSQL' if TEST_PG_URL else 'SQLite'}"


class DatabaseFactory:
    """Gives each test a fresh, migrated database as cheaply as the backend allows.

    SQLite: one migrated template file, copied per test. PostgreSQL: one
    schema per test session, migrated once and truncated before each test.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.schema = f"fedimob_test_{uuid.uuid4().hex[:12]}"
        self.schemas = [self.schema]
        self.template_url = self._url(self.schema)

    def _url(self, schema: str) -> str:
        if TEST_PG_URL:
            base = normalise_database_url(TEST_PG_URL)
            joiner = "&" if "?" in base else "?"
            return f"{base}{joiner}schema={schema}"
        return normalise_database_url(f"sqlite://{self.root / 'template.sqlite3'}")

    @property
    def dsn(self) -> str:
        return "postgresql://" + normalise_database_url(TEST_PG_URL).split("://", 1)[1]

    async def create(self) -> None:
        if TEST_PG_URL:
            connection = await asyncpg.connect(self.dsn)
            try:
                await connection.execute(f'CREATE SCHEMA "{self.schema}"')
            finally:
                await connection.close()
        await Database(self.template_url).migrate()

    async def drop(self) -> None:
        if TEST_PG_URL:
            connection = await asyncpg.connect(self.dsn)
            try:
                for schema in self.schemas:
                    await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await connection.close()

    async def another(self, name: str, directory: Path) -> Database:
        """A second (third...) fresh database in this test, for another instance."""
        if not TEST_PG_URL:
            return Database(self.fresh_url(directory))
        schema = f"{self.schema}_{name}"
        if schema not in self.schemas:
            connection = await asyncpg.connect(self.dsn)
            try:
                await connection.execute(f'CREATE SCHEMA "{schema}"')
            finally:
                await connection.close()
            self.schemas.append(schema)
            await Database(self._url(schema)).migrate()
        database = Database(self._url(schema))
        await self._truncate(schema)
        return database

    def fresh_url(self, directory: Path) -> str:
        if TEST_PG_URL:
            return self.template_url
        target = directory / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.root / "template.sqlite3", target)
        return normalise_database_url(f"sqlite://{target}")

    async def reset(self, database: Database) -> None:
        """Empty every table (PostgreSQL; SQLite copies are fresh already)."""
        if database.dialect == "postgres":
            await self._truncate(self.schema)

    async def _truncate(self, schema: str) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1 "
                "AND tablename <> 'tortoise_migrations'",
                schema,
            )
            names = ", ".join(f'"{schema}"."{row["tablename"]}"' for row in tables)
            if names:
                await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    databases = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    try:
        asyncio.run(databases.create())
        yield databases
    finally:
        asyncio.run(databases.drop())


@pytest.fixture
def database_url(test_databases: DatabaseFactory, tmp_path: Path) -> str:
    return test_databases.fresh_url(tmp_path)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(url="https://fedimob.test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
async def db(test_databases: DatabaseFactory, settings: Settings) -> AsyncIterator[Database]:
    """A connected, empty, migrated database, active for the test."""
    database = Database(settings.database_url)
    await test_databases.reset(database)
    await database.connect()
    try:
        with database.activate():
            yield database
    finally:
        await database.close()


@pytest.fixture
def fediverse() -> FakeFediverse:
    """Remote servers for the instance under test, in process (no sockets)."""
    return FakeFediverse()


@pytest.fixture
async def federation(settings: Settings, fediverse: FakeFediverse) -> AsyncIterator[Federation]:
    """The instance's federation context, its outbound requests going to `fediverse`."""
    federation = Federation(settings, make_client(settings, fediverse.transport()))
    try:
        yield federation
    finally:
        await federation.client.aclose()


@pytest.fixture
def app(db: Database, settings: Settings, fediverse: FakeFediverse) -> Starlette:
    """The instance under test, mounted in `fediverse` under its own host."""
    instance = create_app(settings, database=db, run_worker=False, transport=fediverse.transport())
    fediverse.mount(settings.domain, httpx.ASGITransport(app=instance))
    return instance


@pytest.fixture
async def client(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the instance's ASGI app, on the test database."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.url) as http:
        yield http


@pytest.fixture
def worker(app: Starlette) -> Worker:
    """The instance's worker, to drive with `run_once()`."""
    instance_worker: Worker = app.state.worker
    return instance_worker
