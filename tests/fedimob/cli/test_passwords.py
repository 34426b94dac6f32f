"""`fedimob reset-password`, called in-process through `main(argv)` like a script would."""

import asyncio
import io
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fedimob.cli.main import main
from fedimob.db import Database
from fedimob.domain.accounts import authenticate, disable_account, get_account
from fedimob.domain.password_reset import account_for_token, reset_password
from fedimob.errors import NotFound

SECRET = "k" * 40
Run = Callable[..., tuple[int, Any, str]]


def with_database(url: str, work: Callable[[], Awaitable[object]]) -> object:
    """Run `work` on the test database from a synchronous test (as the CLI does)."""

    async def connected() -> object:
        database = Database(url)
        await database.connect()
        try:
            with database.activate():
                return await work()
        finally:
            await database.close()

    return asyncio.run(connected())


@pytest.fixture
async def prepared(db: Database) -> None:
    """An empty, migrated database (the CLI opens its own connection)."""


@pytest.fixture
def cli(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    monkeypatch.setenv("FEDIMOB_DATABASE_URL", database_url)
    monkeypatch.setenv("FEDIMOB_URL", "https://mob.example")
    monkeypatch.setenv("FEDIMOB_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str = "") -> tuple[int, object, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    return run


def test_the_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["reset-password", "--help"])
    assert done.value.code == 0
    assert "single-use link" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "FEDIMOB_SMTP_URL" in capsys.readouterr().out


def test_it_prints_a_link_that_sets_a_new_password(
    cli: Run, prepared: None, database_url: str
) -> None:
    code, _, _ = cli(
        "user", "create", "--username", "camille", "--email", "c@example.org",
        stdin="an old password\n",
    )  # fmt: skip
    assert code == 0
    code, out, _ = cli("reset-password", "Camille")
    assert code == 0
    assert out["username"] == "camille"
    link: str = out["link"]
    assert link.startswith("https://mob.example/password/reset/")
    expires = datetime.fromisoformat(out["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)
    token = link.rsplit("/", 1)[1]

    async def use_it() -> None:
        assert (await account_for_token(SECRET, token)).username == "camille"
        await reset_password(SECRET, token, "a brand new passphrase")
        assert await authenticate("camille", "a brand new passphrase") is not None
        with pytest.raises(NotFound):  # once only
            await reset_password(SECRET, token, "yet another passphrase")

    with_database(database_url, use_it)


def test_a_login_less_account_can_be_given_a_password(
    cli: Run, prepared: None, database_url: str
) -> None:
    cli("user", "create", "--username", "lea", "--email", "l@example.org", "--no-password")
    code, out, _ = cli("reset-password", "lea")
    assert code == 0
    token = out["link"].rsplit("/", 1)[1]

    async def use_it() -> None:
        await reset_password(SECRET, token, "her first password")
        assert await authenticate("lea", "her first password") is not None

    with_database(database_url, use_it)


@pytest.mark.parametrize("username", ["nobody", "", "x" * 10_000, "alice\nbob", "é", "../etc"])
def test_unknown_or_hostile_names_fail_cleanly(cli: Run, prepared: None, username: str) -> None:
    code, out, err = cli("reset-password", username)
    assert code == 1
    assert out is None
    assert err.startswith("fedimob: error: ")
    assert err.count("\n") == 1


def test_a_suspended_account_gets_no_link(cli: Run, prepared: None, database_url: str) -> None:
    cli("user", "create", "--username", "bob", "--email", "b@example.org", stdin="bob's password\n")

    async def suspend() -> None:
        await disable_account(await get_account("bob"))

    with_database(database_url, suspend)
    code, out, err = cli("reset-password", "bob")
    assert code == 1
    assert out is None
    assert "suspended" in err
