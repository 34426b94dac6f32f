"""The committed migrations describe the models exactly (no forgotten makemigrations)."""

from pathlib import Path

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

import fedimob.models as models
from fedimob.db import MIGRATIONS_MODULE, tortoise_config


async def test_models_and_migrations_agree(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'check.sqlite3'}")
    context = TortoiseContext()
    with context:
        try:
            await context.init(config=config)
            assert context.apps is not None
            changes = await MigrationAutodetector(context.apps, config["apps"]).changes()
        finally:
            await context.close_connections()
    assert not changes, f"models changed without a migration in {MIGRATIONS_MODULE}: {changes}"


def test_no_model_docstring_holds_a_semicolon() -> None:
    """Tortoise turns docstrings into table comments, and a ';' splits its SQLite script."""

    for name in models.__all__:
        model = getattr(models, name)
        assert ";" not in (getattr(model, "__doc__", "") or ""), name
