"""The committed migrations describe the models exactly (no forgotten makemigrations),
and the data they move arrives (0005 fills columns of rows older than it)."""

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate
from tortoise.migrations.autodetector import MigrationAutodetector

import fedimob.models as models
from fedimob.db import MIGRATIONS_MODULE, Database, tortoise_config
from fedimob.domain.catalogue import browse, catalogue_query
from fedimob.models import Campaign, Job, RemoteCampaign
from fedimob.settings import normalise_database_url
from tests.conftest import TEST_PG_URL, DatabaseFactory


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


# Rows as a database at 0004 holds them (no search_text, no remote publication date).
_ROWS_BEFORE_0005 = """
INSERT INTO actor (id, username, display_name, kind, summary, url, icon_url, inbox_url,
    shared_inbox_url, followers_url, public_key_pem, private_key_pem, created_at, updated_at)
VALUES (1, 'amis', 'Les Amis', 'organization', '', '', '', '', '', '', '', '',
        '2026-01-01 10:00:00+00:00', '2026-01-01 10:00:00+00:00'),
       (2, 'ecole', 'École', 'group', '', '', '', '', '', '', '', '',
        '2026-01-01 10:00:00+00:00', '2026-01-01 10:00:00+00:00');
INSERT INTO association (id, actor_id, username, name, description_md, description_html,
    website, region, created_at, updated_at)
VALUES (1, 1, 'amis', 'Les Amis de l''Erdre', '', '', '', '',
        '2026-01-01 10:00:00+00:00', '2026-01-01 10:00:00+00:00');
INSERT INTO campaign (id, association_id, actor_id, slug, title, summary, description_md,
    description_html, categories, language, kind, address, instructions_url, goal_kind,
    goal_target, impact_unit, conversions, pledge_options, join_mode, state, deadline,
    published_at, participants_count, requested_count, pledged_minutes, reported_minutes,
    impact_total, created_at, updated_at)
VALUES (1, 1, 2, 'ecole', 'École buissonnière', 'Une journée au bord de l''eau', '', '',
    '["écologie"]', 'fr', 'physical', 'Quai de Versailles, Nantes', '', 'participants', 10, '',
    '[]', '[]', 'free', 'published', '2099-01-01 00:00:00+00:00',
    '2026-01-01 10:00:00+00:00', 0, 0, 0, 0, '0',
    '2026-01-01 10:00:00+00:00', '2026-01-01 10:00:00+00:00');
INSERT INTO remote_campaign (id, ap_id, owner_id, domain, title, summary_html, url, deadline,
    goal_kind, goal_target, participants_count, pledged_minutes, local_participants, fetched_at)
VALUES (1, 'https://other.example/e/1', 'https://other.example/c/1', 'other.example',
    'Forêt propre', '<p>Ramassage à l''orée</p>', '', '2099-01-01 00:00:00+00:00',
    'participants', 5, 0, 0, 0, '2026-02-03 04:05:06+00:00');
"""


async def _empty_database(databases: DatabaseFactory, name: str, directory: Path) -> str:
    """A database with no table yet (its own schema on PostgreSQL, dropped at the end)."""
    if not TEST_PG_URL:
        return normalise_database_url(f"sqlite://{directory / f'{name}.sqlite3'}")
    schema = f"{databases.schema}_{name}"
    connection = await asyncpg.connect(databases.dsn)
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await connection.close()
    databases.schemas.append(schema)
    return f"{normalise_database_url(TEST_PG_URL)}?schema={schema}"


async def test_a_database_with_jobs_waiting_upgrades_from_0003(
    test_databases: DatabaseFactory, tmp_path: Path
) -> None:
    """0004 adds a NOT NULL column to the job table: rows already there get its default."""
    url = await _empty_database(test_databases, "m0004", tmp_path)
    context = TortoiseContext()
    with context:
        try:
            await migrate(config=tortoise_config(url), target="models.0003_ordered_requests")
        finally:
            await context.close_connections()
    database = Database(url)
    await database.connect()
    try:
        with database.activate():
            await Job._meta.db.execute_script(
                "INSERT INTO job (id, kind, payload, state, attempts, max_attempts, run_at,"
                " created_at) VALUES (1, 'campaign.published', '{}', 'pending', 0, 10,"
                " '2026-01-01 10:00:00+00:00', '2026-01-01 10:00:00+00:00');"
            )
    finally:
        await database.close()

    await Database(url).migrate()

    await database.connect()
    try:
        with database.activate():
            job = await Job.get(id=1)
            assert (job.kind, job.priority) == ("campaign.published", 0)
    finally:
        await database.close()


async def test_0005_fills_the_search_text_and_publication_date_of_older_rows(
    test_databases: DatabaseFactory, tmp_path: Path
) -> None:
    url = await _empty_database(test_databases, "m0005", tmp_path)
    context = TortoiseContext()
    with context:
        try:
            await migrate(config=tortoise_config(url), target="models.0004_job_priority")
        finally:
            await context.close_connections()
    database = Database(url)
    await database.connect()
    try:
        with database.activate():
            await Campaign._meta.db.execute_script(_ROWS_BEFORE_0005)
    finally:
        await database.close()

    await Database(url).migrate()  # what `fedimob migrate` does

    await database.connect()
    try:
        with database.activate():
            campaign = await Campaign.get(id=1)
            assert campaign.search_text.split("\n") == [
                "ecole buissonniere",
                "une journee au bord de l'eau",
                "les amis de l'erdre",
                "quai de versailles, nantes",
                "ecologie",
            ]
            remote = await RemoteCampaign.get(id=1)
            assert remote.search_text == "foret propre\nramassage a l'oree"
            assert remote.published_at == remote.fetched_at
            assert remote.published_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
            # And discover finds both, however the words are typed.
            now = datetime(2026, 3, 1, tzinfo=UTC)
            found = await browse(catalogue_query(text="ÉCOLE"), now=now)
            assert [card.title for card in found.cards] == ["École buissonnière"]
            found = await browse(catalogue_query(text="foret"), now=now)
            assert [card.title for card in found.cards] == ["Forêt propre"]
    finally:
        await database.close()
