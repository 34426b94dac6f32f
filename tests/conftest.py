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
import pytest

from fedimob.db import Database
from fedimob.settings import Settings, normalise_database_url

TEST_PG_URL = os.environ.get("FEDIMOB_TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-key-" + "x" * 32


def pytest_report_header() -> str:
    return f"fedimob database: {'PostgreSQL' if TEST_PG_URL else 'SQLite'}"


class TestDatabases:
    """Gives each test a fresh, migrated database as cheaply as the backend allows.

    SQLite: one migrated template file, copied per test. PostgreSQL: one
    schema per test session, migrated once and truncated before each test.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.schema = f"fedimob_test_{uuid.uuid4().hex[:12]}"
        if TEST_PG_URL:
            base = normalise_database_url(TEST_PG_URL)
            joiner = "&" if "?" in base else "?"
            self.template_url = f"{base}{joiner}schema={self.schema}"
        else:
            self.template_url = normalise_database_url(f"sqlite://{root / 'template.sqlite3'}")

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
                await connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            finally:
                await connection.close()

    def fresh_url(self, directory: Path) -> str:
        if TEST_PG_URL:
            return self.template_url
        target = directory / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.root / "template.sqlite3", target)
        return normalise_database_url(f"sqlite://{target}")

    async def reset(self, database: Database) -> None:
        """Empty every table (PostgreSQL; SQLite copies are fresh already)."""
        if database.dialect != "postgres":
            return
        connection = await asyncpg.connect(self.dsn, server_settings={"search_path": self.schema})
        try:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1 "
                "AND tablename <> 'tortoise_migrations'",
                self.schema,
            )
            names = ", ".join(f'"{self.schema}"."{row["tablename"]}"' for row in tables)
            if names:
                await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    databases = TestDatabases(tmp_path_factory.mktemp("databases"))
    try:
        asyncio.run(databases.create())
        yield databases
    finally:
        asyncio.run(databases.drop())


@pytest.fixture
def database_url(test_databases: TestDatabases, tmp_path: Path) -> str:
    return test_databases.fresh_url(tmp_path)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(url="https://fedimob.test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
async def db(test_databases: TestDatabases, settings: Settings) -> AsyncIterator[Database]:
    """A connected, empty, migrated database, active for the test."""
    database = Database(settings.database_url)
    await test_databases.reset(database)
    await database.connect()
    try:
        with database.activate():
            yield database
    finally:
        await database.close()
