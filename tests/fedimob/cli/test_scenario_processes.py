"""The issue's scenario with the real `fedimob` executable, one process per command.

A campaign with goal 3 and a deadline seconds ahead; three people join (one
twice), one leaves; `campaign show` says 2; a real `fedimob worker` process
ends it as missed once the deadline passes.
"""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fedimob.db import Database
from tests.processes import FedimobProcess

FEDIMOB = [sys.executable, "-m", "fedimob"]


def run(env: dict[str, str], *argv: str, stdin: str = "", timeout: float = 60) -> dict[str, object]:
    done = subprocess.run(
        [*FEDIMOB, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.mark.slow
async def test_cli_scenario_until_the_worker_ends_the_campaign(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await db.close()  # the processes below own the database now
    env = {**os.environ, "FEDIMOB_DATABASE_URL": database_url, "FEDIMOB_SECRET_KEY": "k" * 40,
           "FEDIMOB_WORKER_POLL_SECONDS": "0.2"}  # fmt: skip
    run(
        env,
        "user",
        "create",
        "--username",
        "org",
        "--email",
        "org@example.org",
        stdin="a long password\n",
    )
    for name in ("ann", "ben", "cat"):
        run(
            env,
            "user",
            "create",
            "--username",
            name,
            "--email",
            f"{name}@example.org",
            "--no-password",
        )
    run(env, "association", "create", "--username", "river", "--name", "River", "--owner", "org")
    # Long enough for six more process starts on a loaded machine (20 s was
    # not, with other work on both cores), short enough for the test to wait
    # for it: the worker below acts when it passes.
    deadline = (datetime.now(UTC) + timedelta(seconds=45)).isoformat()
    created = run(
        env, "campaign", "create", "--association", "river", "--slug", "soon", "--title", "Soon",
        "--goal-kind", "participants", "--goal", "3", "--deadline", deadline, "--publish",
    )  # fmt: skip
    assert created["state"] == "published"
    for name in ("ann", "ben", "ben", "cat"):
        run(env, "join", "--user", name, "--campaign", "soon")
    run(env, "leave", "--user", "cat", "--campaign", "soon")
    shown = run(env, "campaign", "show", "soon")
    assert (shown["participants"], shown["state"]) == (2, "published")

    # A real worker process ends the campaign once its deadline passes.
    worker = FedimobProcess("worker", env=env)
    try:
        worker.wait_for(r"campaign soon ended: missed", timeout=120)
    finally:
        worker.stop()
    shown = run(env, "campaign", "show", "soon")
    assert (shown["state"], shown["outcome"], shown["participants"]) == ("ended", "missed", 2)
