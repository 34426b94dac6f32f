"""The profile pages show: from memory, fresh at once after a save, per database."""

from pathlib import Path

from fedimob.db import Database
from fedimob.domain.instance_profile import (
    PROFILE_CACHE_SECONDS,
    TEXTS,
    instance_profile,
    shown_instance_profile,
    update_instance_profile,
)
from fedimob.domain.instance_settings import set_setting
from tests.conftest import DatabaseFactory
from tests.fedimob.factories import make_account


async def save(name: str, languages: tuple[str, ...] = ("en", "fr")) -> None:
    admin = await make_account(is_admin=True)
    await update_instance_profile(
        name=name,
        description="",
        languages=languages,
        registrations_open=True,
        time_zone="UTC",
        by=admin,
    )


async def test_a_save_shows_at_once(db: Database) -> None:
    assert (await shown_instance_profile()).name == "fedimob"
    await save("Les Amis", ("fr",))
    shown = await shown_instance_profile()
    assert (shown.name, shown.languages) == ("Les Amis", ("fr",))
    assert shown == await instance_profile()


async def test_a_change_from_another_process_shows_within_the_cache_time(db: Database) -> None:
    start = 1000.0
    assert (await shown_instance_profile(now=start)).name == "fedimob"
    # Another process saves: this one's copy is not told, and is not read again...
    await set_setting(TEXTS, {"name": "Elsewhere", "description": "", "description_html": ""})
    assert (await shown_instance_profile(now=start + 1)).name == "fedimob"
    # ...until it is older than PROFILE_CACHE_SECONDS.
    later = start + PROFILE_CACHE_SECONDS + 0.1
    assert (await shown_instance_profile(now=later)).name == "Elsewhere"
    assert PROFILE_CACHE_SECONDS <= 10  # other processes catch up in seconds


async def test_each_database_has_its_own_profile(
    db: Database, test_databases: DatabaseFactory, tmp_path: Path
) -> None:
    await save("North")
    other = await test_databases.another("profile_south", tmp_path)
    await other.connect()
    try:
        with other.activate():
            assert (await shown_instance_profile()).name == "fedimob"
            await save("South")
            assert (await shown_instance_profile()).name == "South"
    finally:
        await other.close()
    assert (await shown_instance_profile()).name == "North"
