"""Two real `fedimob serve` processes on loopback ports, following each other over HTTP."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import DatabaseFactory
from tests.processes import FedimobProcess, free_port


def cli(env: dict[str, str], *argv: str, stdin: str = "") -> object:
    done = subprocess.run(
        [sys.executable, "-m", "fedimob", *argv],
        input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.fixture
def servers(
    test_databases: DatabaseFactory, tmp_path: Path
) -> Iterator[tuple[dict[str, str], ...]]:
    envs, processes = [], []
    for name in ("east", "west"):
        database = asyncio.run(test_databases.another(f"e2e_{name}", tmp_path))
        port = free_port()
        env = {
            **os.environ,
            "FEDIMOB_URL": f"http://127.0.0.1:{port}",
            "FEDIMOB_DATABASE_URL": database.url,
            "FEDIMOB_SECRET_KEY": "k" * 40,
            "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1",
            "FEDIMOB_WORKER_POLL_SECONDS": "0.1",
            "PORT": str(port),
        }
        envs.append(env)
        processes.append(FedimobProcess("serve", "--port", str(port), env=env))
    try:
        for process in processes:
            process.wait_for("Application startup complete")
        yield tuple(envs), tuple(processes)  # type: ignore[misc]
    finally:
        for process in processes:
            process.stop()


@pytest.mark.slow
def test_two_servers_follow_each_other_and_hear_the_news(servers) -> None:  # type: ignore[no-untyped-def]
    (east_env, west_env), (east, west) = servers
    west_host = f"127.0.0.1:{west_env['PORT']}"
    cli(
        west_env, "user", "create", "--username", "org", "--email", "o@example.org", "--no-password"
    )
    cli(
        west_env,
        "association",
        "create",
        "--username",
        "rivers",
        "--name",
        "Rivers",
        "--owner",
        "org",
    )

    asked = cli(east_env, "follow", "--as", "instance", f"@rivers@{west_host}")
    assert asked == {
        "follower": "instance",
        "followed": f"http://{west_host}/associations/rivers",
        "state": "pending",
    }  # type: ignore[comparison-overlap]
    west.wait_for(r"inbox: Follow processed from http://127\.0\.0\.1")
    east.wait_for(r"follow of http://127\.0\.0\.1:\d+/associations/rivers accepted")
    [row] = cli(east_env, "following", "--as", "instance")  # type: ignore[misc]
    assert row["state"] == "accepted"

    cli(
        west_env, "campaign", "create", "--association", "rivers", "--slug", "cleanup",
        "--title", "Clean-up", "--goal-kind", "participants", "--goal", "10",
        "--deadline", (datetime.now(UTC) + timedelta(days=30)).isoformat(), "--publish",
    )  # fmt: skip
    east.wait_for(rf"inbox: Announce processed from http://{west_host}/associations/rivers")
