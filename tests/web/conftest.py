from collections.abc import AsyncIterator

import httpx
import pytest

from fedimob.app import create_app
from fedimob.db import Database
from fedimob.settings import Settings


@pytest.fixture
async def client(db: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the instance's ASGI app, on the test database."""
    app = create_app(settings, database=db, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.url) as http:
        yield http
