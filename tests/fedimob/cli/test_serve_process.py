"""`fedimob serve` as a real process: it answers on its port, runs its worker, stops cleanly."""

import os
import signal
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.settings import Settings
from tests.fedimob.factories import make_campaign
from tests.processes import FedimobProcess, free_port


@pytest.mark.slow
async def test_serve_answers_and_its_worker_ends_due_campaigns(
    db: Database, settings: Settings
) -> None:
    await load_demo(settings)
    campaign = await make_campaign(deadline=datetime.now(UTC) + timedelta(seconds=2))
    await db.close()
    port = free_port()
    env = {**os.environ, "FEDIMOB_DATABASE_URL": settings.database_url,
           "FEDIMOB_SECRET_KEY": "k" * 40, "FEDIMOB_WORKER_POLL_SECONDS": "0.2"}  # fmt: skip
    server = FedimobProcess("serve", "--port", str(port), env=env)
    try:
        server.wait_for("Application startup complete")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            home = await http.get("/")
            assert home.status_code == 200
            assert "River clean-up on Saturday" in home.text
            server.wait_for(rf"campaign {campaign.slug} ended: missed")
            page = await http.get(f"/campaigns/{campaign.slug}")
            assert "Ended: missed" in page.text
    finally:
        code = server.stop()
    # uvicorn re-raises SIGTERM once it has shut down gracefully.
    assert code in {0, -signal.SIGTERM}, server.output
    assert "Application shutdown complete" in server.output
    assert "stopped" in server.output
