"""The database: one Tortoise context per instance, migrations, dialect facts.

Each `Database` owns its own `TortoiseContext`, so several fedimob instances
can live in one process (the federation tests do this). Code that touches the
models runs inside `database.activate()` (the ASGI app, the worker and the CLI
do it once, at their entry points).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

# Tortoise's "current context" variable: no public setter exists that does not
# keep its token on the shared context object (see `Database.activate`).
from tortoise.context import TortoiseContext, _current_context
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.transactions import in_transaction

MODELS_MODULE = "fedimob.models"
MIGRATIONS_MODULE = "fedimob.migrations"
Dialect = Literal["sqlite", "postgres"]

__all__ = ["TORTOISE_ORM", "Database", "in_transaction", "tortoise_config"]


def tortoise_config(url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL."""
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For `tortoise makemigrations` during development (see README, "Schema changes").
TORTOISE_ORM = tortoise_config("sqlite://.makemigrations.sqlite3")


class Database:
    """A connection to one fedimob database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect: Dialect = "postgres" if url.startswith("postgres") else "sqlite"
        self._context = TortoiseContext()

    @contextmanager
    def activate(self) -> Iterator[None]:
        """Make this database the one the models use in the current task.

        The token is kept per call, not on the shared context object (as
        `TortoiseContext.__enter__` does), so concurrent requests can each
        activate the same database.
        """
        token = _current_context.set(self._context)
        try:
            yield
        finally:
            _current_context.reset(token)

    async def connect(self) -> None:
        with self.activate():
            await self._context.init(config=tortoise_config(self.url))

    async def close(self) -> None:
        await self._context.close_connections()

    async def migrate(self) -> None:
        """Apply every committed migration that is not applied yet."""
        migration_context = TortoiseContext()
        with migration_context:
            try:
                await tortoise_migrate(config=tortoise_config(self.url))
            finally:
                await migration_context.close_connections()
