"""The command line, called in-process through `main(argv)` like a script would."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fedimob.cli.main import main
from fedimob.db import Database

SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()


@pytest.fixture
def cli(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FEDIMOB_DATABASE_URL", database_url)
    monkeypatch.setenv("FEDIMOB_URL", "https://mob.example")
    monkeypatch.setenv("FEDIMOB_SECRET_KEY", "k" * 40)
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str = "") -> tuple[int, object, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, (json.loads(out) if out.strip() else None), err

    return run


@pytest.fixture
async def prepared(db: Database) -> None:
    """An empty, migrated database (the CLI opens its own connection)."""


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        [], ["serve"], ["worker"], ["migrate"], ["demo"], ["user", "create"],
        ["association", "create"], ["campaign", "create"], ["campaign", "show"],
        ["campaign", "publish"], ["campaign", "cancel"], ["join"], ["leave"],
    ):  # fmt: skip
        with pytest.raises(SystemExit) as done:
            main([*argv, "--help"])
        assert done.value.code == 0
        assert "usage: fedimob" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["campaign", "create", "--slug", "x"], ["join", "--user", "a"], ["nonsense"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 2
    assert "error" in capsys.readouterr().err


def test_scenario_create_join_leave_show(cli, prepared: None) -> None:  # type: ignore[no-untyped-def]
    code, user, _ = cli(
        "user",
        "create",
        "--username",
        "org",
        "--email",
        "org@example.org",
        stdin="a long password\n",
    )
    assert code == 0
    assert user["handle"] == "@org@mob.example"
    assert user["can_log_in"]
    for name in ("ann", "ben", "cat"):
        assert (
            cli(
                "user",
                "create",
                "--username",
                name,
                "--email",
                f"{name}@example.org",
                "--no-password",
            )[0]
            == 0
        )
    assert (
        cli(
            "association",
            "create",
            "--username",
            "river",
            "--name",
            "River friends",
            "--owner",
            "org",
        )[0]
        == 0
    )
    code, campaign, _ = cli(
        "campaign", "create", "--association", "river", "--slug", "clean", "--title", "Clean",
        "--goal-kind", "participants", "--goal", "3", "--deadline", SOON,
        "--pledge", "60", "--pledge", "240", "--publish",
    )  # fmt: skip
    assert code == 0
    assert campaign["state"] == "published"
    assert campaign["pledge_options"] == [60, 240]
    assert campaign["url"] == "https://mob.example/campaigns/clean"
    assert cli("join", "--user", "ann", "--campaign", "clean")[1]["changed"] is True
    assert cli("join", "--user", "ann", "--campaign", "clean")[1]["changed"] is False
    assert cli("join", "--user", "ben", "--campaign", "clean", "--pledge", "240")[0] == 0
    assert cli("join", "--user", "cat", "--campaign", "clean")[0] == 0
    assert cli("leave", "--user", "cat", "--campaign", "clean")[1]["state"] == "withdrawn"
    code, shown, _ = cli("campaign", "show", "clean")
    assert (shown["participants"], shown["pledged_minutes"], shown["goal"]) == (2, 300, 3)
    assert shown["handle"] == "@clean@mob.example"


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["user", "create", "--username", "x", "--email", "x@example.org"], "", "no password"),
        (
            [
                "user",
                "create",
                "--username",
                "bad name",
                "--email",
                "x@example.org",
                "--no-password",
            ],
            "",
            "username",
        ),
        (
            ["association", "create", "--username", "a", "--name", "A", "--owner", "ghost"],
            "",
            "no user named",
        ),
        (["campaign", "show", "ghost"], "", "no campaign named"),
        (["join", "--user", "ghost", "--campaign", "ghost"], "", "no user named"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_1(
    cli,
    prepared: None,
    argv: list[str],
    stdin: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    code, out, err = cli(*argv, stdin=stdin)
    assert code == 1
    assert out is None
    assert err.startswith("fedimob: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_bad_deadline_is_a_usage_error(
    cli, prepared: None, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as done:
        main(["campaign", "create", "--association", "a", "--slug", "s", "--title", "t",
              "--goal-kind", "hours", "--goal", "1", "--deadline", "next tuesday"])  # fmt: skip
    assert done.value.code == 2
    assert "not an ISO 8601 date-time" in capsys.readouterr().err


def test_unmigrated_database_gets_a_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FEDIMOB_DATABASE_URL", f"sqlite://{tmp_path}/empty.sqlite3")
    monkeypatch.setenv("FEDIMOB_SECRET_KEY", "k" * 40)
    assert main(["campaign", "show", "x"]) == 1
    assert "fedimob migrate" in capsys.readouterr().err


def test_demo_loads_once(cli, prepared: None) -> None:  # type: ignore[no-untyped-def]
    code, loaded, err = cli("demo")
    assert code == 0
    assert len(loaded["campaigns"]) == 6
    # The accounts to log in with, said last (stdout is JSON; the words are on stderr).
    assert [account["username"] for account in loaded["log_in_as"]] == ["camille", "chloe"]
    assert "as camille, password demo-password" in err
    assert "as chloe, password demo-password" in err
    code, _, err = cli("demo")
    assert code == 1
    assert "not empty" in err
    code, _, err = cli("demo", "--if-empty")
    assert code == 0
    assert "not loaded" in err


def test_domain_blocks_from_the_command_line(cli, prepared: None) -> None:  # type: ignore[no-untyped-def]
    assert cli("block", "add", "Spam.Example", "--reason", "spam")[1] == {
        "domain": "spam.example",
        "blocked": True,
    }
    assert cli("block", "list")[1] == [{"domain": "spam.example", "reason": "spam"}]
    assert cli("block", "remove", "spam.example")[1]["changed"] is True
    assert cli("block", "list")[1] == []
    code, _, err = cli("block", "add", "not a domain!")
    assert code == 1
    assert "not a domain" in err


def test_following_and_failed_follows(cli, prepared: None) -> None:  # type: ignore[no-untyped-def]
    assert cli("following", "--as", "instance")[1] == []
    code, _, err = cli("follow", "--as", "instance", "https://nowhere.invalid/users/x")
    assert code == 1
    assert err.startswith("fedimob: error: federation:")
    code, _, err = cli("follow", "--as", "ghost", "@someone@example.org")
    assert code == 1
    assert "no local actor" in err


def test_campaign_edit_from_the_command_line(cli, prepared: None) -> None:  # type: ignore[no-untyped-def]
    cli("user", "create", "--username", "org", "--email", "org@example.org", "--no-password")
    cli("association", "create", "--username", "river", "--name", "River", "--owner", "org")
    cli(
        "campaign", "create", "--association", "river", "--slug", "clean", "--title", "Clean",
        "--goal-kind", "hours", "--goal", "10", "--deadline", SOON,
    )  # fmt: skip
    code, shown, _ = cli("campaign", "edit", "clean", "--title", "Cleaner", "--summary", "Soon.")
    assert code == 0
    assert (shown["title"], shown["summary"], shown["state"]) == ("Cleaner", "Soon.", "draft")
    code, _, err = cli("campaign", "edit", "clean", "--title", "")
    assert code == 1
    assert "title is required" in err
