import os
import stat
from pathlib import Path

import pytest

from fedimob.errors import ConfigurationError
from fedimob.settings import SECRET_KEY_FILE, Settings


def test_defaults_serve_localhost_on_sqlite_in_the_working_directory(tmp_path: Path) -> None:
    settings = Settings.from_env({}, workdir=tmp_path)
    assert settings.url == "http://localhost:8000"
    assert settings.domain == "localhost:8000"
    assert settings.database_url.startswith(f"sqlite://{tmp_path}/fedimob.sqlite3?")
    assert "busy_timeout" in settings.database_url
    assert settings.dev_allow_private_network is False


def test_secret_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = Settings.from_env({}, workdir=tmp_path).secret_key
    second = Settings.from_env({}, workdir=tmp_path).secret_key
    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / SECRET_KEY_FILE).st_mode)
    assert mode == 0o600


def test_environment_secret_wins_and_writes_no_file(tmp_path: Path) -> None:
    settings = Settings.from_env({"FEDIMOB_SECRET_KEY": "s" * 40}, workdir=tmp_path)
    assert settings.secret_key == "s" * 40
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_short_stored_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("short\n")
    with pytest.raises(ConfigurationError, match="too short"):
        Settings.from_env({}, workdir=tmp_path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Mob.Example.org", "https://mob.example.org"),
        ("https://mob.example.org/", "https://mob.example.org"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ],
)
def test_public_url_is_normalised(tmp_path: Path, given: str, expected: str) -> None:
    assert Settings.from_env({"FEDIMOB_URL": given}, workdir=tmp_path).url == expected


@pytest.mark.parametrize(
    "bad",
    ["ftp://x.org", "mob.example.org", "https://x.org/path", "https://u:p@x.org", "https://"],
)
def test_bad_public_url_is_a_clear_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="FEDIMOB_URL"):
        Settings.from_env({"FEDIMOB_URL": bad}, workdir=tmp_path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgres://u@h:5432/db"),
        ("postgres://u@h/db", "postgres://u@h/db"),
        (
            "sqlite:///data/f.sqlite3",
            "sqlite:///data/f.sqlite3?busy_timeout=5000&synchronous=NORMAL",
        ),
    ],
)
def test_database_url_spellings(tmp_path: Path, given: str, expected: str) -> None:
    env = {"FEDIMOB_DATABASE_URL": given}
    assert Settings.from_env(env, workdir=tmp_path).database_url == expected


@pytest.mark.parametrize("bad", ["mysql://h/db", "nonsense", "sqlite://:memory:"])
def test_unsupported_database_is_a_clear_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="FEDIMOB_DATABASE_URL"):
        Settings.from_env({"FEDIMOB_DATABASE_URL": bad}, workdir=tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("on", True), ("0", False), ("", False)]
)
def test_dev_switch(tmp_path: Path, value: str, expected: bool) -> None:
    env = {"FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": value}
    assert Settings.from_env(env, workdir=tmp_path).dev_allow_private_network is expected


def test_dev_switch_typo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK"):
        Settings.from_env({"FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "maybe"}, workdir=tmp_path)


def test_unknown_setting_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Settings.from_env({"FEDIMOB_DATABSE_URL": "oops"}, workdir=tmp_path)
    assert "unknown setting FEDIMOB_DATABSE_URL" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["0", "-1", "soon"])
def test_worker_poll_must_be_positive(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="FEDIMOB_WORKER_POLL_SECONDS"):
        Settings.from_env({"FEDIMOB_WORKER_POLL_SECONDS": bad}, workdir=tmp_path)


def test_authorized_fetch_is_off_unless_asked(tmp_path: Path) -> None:
    assert Settings.from_env({}, workdir=tmp_path).authorized_fetch is False
    env = {"FEDIMOB_AUTHORIZED_FETCH": "true"}
    assert Settings.from_env(env, workdir=tmp_path).authorized_fetch is True


@pytest.mark.parametrize(("value", "expected"), [("", 2.0), ("0", 0.0), ("0.5", 0.5)])
def test_page_cache_seconds(tmp_path: Path, value: str, expected: float) -> None:
    env = {"FEDIMOB_PAGE_CACHE_SECONDS": value}
    assert Settings.from_env(env, workdir=tmp_path).page_cache_seconds == expected


@pytest.mark.parametrize("bad", ["-1", "soon", "1e9", "nan"])
def test_page_cache_seconds_out_of_range_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="FEDIMOB_PAGE_CACHE_SECONDS"):
        Settings.from_env({"FEDIMOB_PAGE_CACHE_SECONDS": bad}, workdir=tmp_path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "127.0.0.1"),
        ("10.0.0.5, 172.16.0.0/12", "10.0.0.5,172.16.0.0/12"),
        ("::1", "::1"),
        (" * ", "*"),
    ],
)
def test_trusted_proxies(tmp_path: Path, given: str | None, expected: str) -> None:
    env = {"FEDIMOB_SECRET_KEY": "k" * 48}
    if given is not None:
        env["FEDIMOB_TRUSTED_PROXIES"] = given
    assert Settings.from_env(env, workdir=tmp_path).trusted_proxies == expected


@pytest.mark.parametrize("given", ["proxy.example", "10.0.0.999", "10.0.0.1/99", "*, 10.0.0.1"])
def test_trusted_proxies_that_are_not_addresses_stop_the_start(tmp_path: Path, given: str) -> None:
    env = {"FEDIMOB_SECRET_KEY": "k" * 48, "FEDIMOB_TRUSTED_PROXIES": given}
    with pytest.raises(ConfigurationError, match="FEDIMOB_TRUSTED_PROXIES"):
        Settings.from_env(env, workdir=tmp_path)
