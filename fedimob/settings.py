"""Configuration, read once at start-up from `FEDIMOB_*` environment variables.

Every setting has a documented default (README.md, "Configuration"); nothing
here runs at import time. `Settings.from_env()` is called by the CLI before
anything else, and the resulting frozen object is passed down explicitly.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fedimob.errors import ConfigurationError
from fedimob.mail import parse_sender, parse_smtp_url

DEFAULT_URL = "http://localhost:8000"
SECRET_KEY_FILE = "fedimob-secret.key"  # noqa: S105 - a file name, not a secret
SQLITE_FILE = "fedimob.sqlite3"
# Busy timeout lets a CLI command and a running server share the SQLite file.
SQLITE_PRAGMAS = "busy_timeout=5000&synchronous=NORMAL"

KNOWN_VARIABLES = frozenset(
    {
        "FEDIMOB_URL",
        "FEDIMOB_DATABASE_URL",
        "FEDIMOB_SECRET_KEY",
        "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK",
        "FEDIMOB_AUTHORIZED_FETCH",
        "FEDIMOB_COUNT_UPDATE_SECONDS",
        "FEDIMOB_WORKER_POLL_SECONDS",
        "FEDIMOB_JOB_TIMEOUT_SECONDS",
        "FEDIMOB_PAGE_CACHE_SECONDS",
        "FEDIMOB_SMTP_URL",
        "FEDIMOB_MAIL_FROM",
        "FEDIMOB_TRUSTED_PROXIES",
        "FEDIMOB_TEST_DATABASE_URL",
    }
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Settings:
    """The instance's configuration. Build it with `from_env()`."""

    url: str
    database_url: str
    secret_key: str
    dev_allow_private_network: bool = False
    authorized_fetch: bool = False
    count_update_seconds: float = 60.0
    worker_poll_seconds: float = 1.0
    job_timeout_seconds: float = 60.0
    # Public pages seen by visitors without a cookie are kept this long (0: never).
    page_cache_seconds: float = 0.0
    # Outgoing mail (fedimob/mail.py): the relay ('' = none: links go to the log) and sender.
    smtp_url: str = ""
    mail_from: str = ""
    # The reverse proxies whose X-Forwarded-For names the visitor (IPs or networks,
    # comma-separated; "*" trusts anyone). Throttles count per visitor address, so a
    # proxy not listed here would make every visitor one.
    trusted_proxies: str = "127.0.0.1"

    @property
    def domain(self) -> str:
        """The instance's domain as it appears in handles (`host` or `host:port`)."""
        return urlsplit(self.url).netloc.lower()

    def absolute(self, path: str) -> str:
        """The public URL of a local path."""
        return self.url + path

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, workdir: Path | None = None
    ) -> Settings:
        """Read the environment; generate and store a secret key on first run if absent."""
        env = os.environ if environ is None else environ
        workdir = workdir or Path.cwd()
        for name in sorted(set(env) - KNOWN_VARIABLES):
            if name.startswith("FEDIMOB_"):
                print(f"fedimob: warning: unknown setting {name} ignored", file=sys.stderr)
        url = parse_public_url(env.get("FEDIMOB_URL", DEFAULT_URL))
        database_url = normalise_database_url(
            env.get("FEDIMOB_DATABASE_URL") or f"sqlite://{workdir / SQLITE_FILE}"
        )
        secret = env.get("FEDIMOB_SECRET_KEY") or load_or_create_secret(workdir / SECRET_KEY_FILE)
        smtp_url, mail_from = env.get("FEDIMOB_SMTP_URL", ""), env.get("FEDIMOB_MAIL_FROM", "")
        parse_smtp_url(smtp_url)  # a bad mail setting stops the start, not the first mail
        parse_sender(mail_from, "example.org")
        return cls(
            url=url,
            database_url=database_url,
            secret_key=secret,
            dev_allow_private_network=parse_bool(
                "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK", env.get("FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK")
            ),
            authorized_fetch=parse_bool(
                "FEDIMOB_AUTHORIZED_FETCH", env.get("FEDIMOB_AUTHORIZED_FETCH")
            ),
            count_update_seconds=parse_positive(
                "FEDIMOB_COUNT_UPDATE_SECONDS", env.get("FEDIMOB_COUNT_UPDATE_SECONDS"), 60.0
            ),
            worker_poll_seconds=parse_positive(
                "FEDIMOB_WORKER_POLL_SECONDS", env.get("FEDIMOB_WORKER_POLL_SECONDS"), 1.0
            ),
            job_timeout_seconds=parse_positive(
                "FEDIMOB_JOB_TIMEOUT_SECONDS", env.get("FEDIMOB_JOB_TIMEOUT_SECONDS"), 60.0
            ),
            page_cache_seconds=parse_duration(
                "FEDIMOB_PAGE_CACHE_SECONDS", env.get("FEDIMOB_PAGE_CACHE_SECONDS"), 2.0
            ),
            smtp_url=smtp_url.strip(),
            mail_from=mail_from.strip(),
            trusted_proxies=parse_proxies(env.get("FEDIMOB_TRUSTED_PROXIES", "127.0.0.1")),
        )


def parse_proxies(value: str) -> str:
    """FEDIMOB_TRUSTED_PROXIES: IP addresses or networks, comma-separated, or "*"."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if entries == ["*"]:
        return "*"
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigurationError(
                f"FEDIMOB_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return ",".join(entries)


def parse_public_url(value: str) -> str:
    """Validate FEDIMOB_URL: an http(s) origin without path, query or credentials."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(f"FEDIMOB_URL must be an http(s) URL, got {value!r}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ConfigurationError(
            f"FEDIMOB_URL must be a bare origin like https://example.org, got {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def normalise_database_url(value: str) -> str:
    """Accept the spellings people use; add the SQLite pragmas we rely on."""
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise ConfigurationError(f"FEDIMOB_DATABASE_URL is not a URL: {value!r}")
    if scheme in {"postgres", "postgresql", "asyncpg"}:
        return f"postgres://{rest}"
    if scheme == "sqlite":
        if rest in {"", ":memory:"}:
            raise ConfigurationError("FEDIMOB_DATABASE_URL: SQLite needs a file path")
        return value if "?" in value else f"{value}?{SQLITE_PRAGMAS}"
    raise ConfigurationError(
        f"FEDIMOB_DATABASE_URL: unsupported database {scheme!r} (use sqlite:// or postgres://)"
    )


def load_or_create_secret(path: Path) -> str:
    """Read the stored secret key, or create it (mode 0600) on first run."""
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
    if len(secret) < 32:
        raise ConfigurationError(f"the secret key in {path} is too short (32 characters at least)")
    return secret


def parse_bool(name: str, value: str | None) -> bool:
    normalised = (value or "").strip().lower()
    if normalised in _TRUE:
        return True
    if normalised in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1/0, true/false, yes/no or on/off, got {value!r}")


def parse_duration(name: str, value: str | None, default: float) -> float:
    """Seconds, zero allowed (to turn something off), at most a day."""
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {value!r}") from None
    if not 0 <= number <= 86_400:
        raise ConfigurationError(f"{name} must be 0 to 86400 seconds, got {value!r}")
    return number


def parse_positive(name: str, value: str | None, default: float) -> float:
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {value!r}") from None
    if not number > 0:
        raise ConfigurationError(f"{name} must be positive, got {value!r}")
    return number
