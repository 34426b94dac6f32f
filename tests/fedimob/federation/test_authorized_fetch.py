"""Authorized-fetch mode: objects and collections only for signed GETs."""

from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette

from activitypub.signing import HttpSignatureAuth
from activitypub.testing import FakeActor
from fedimob.db import Database
from fedimob.federation.context import Federation
from fedimob.federation.hosts import block
from tests.fedimob.factories import make_campaign

AS2 = {"accept": "application/activity+json"}
PROTECTED = [
    "/campaigns/cleanup/event",
    "/campaigns/cleanup/outbox",
    "/campaigns/cleanup/followers",
]
PUBLIC = ["/campaigns/cleanup", "/actor", "/.well-known/nodeinfo", "/nodeinfo/2.1",
          "/.well-known/webfinger?resource=acct:cleanup@fedimob.test"]  # fmt: skip


@pytest.fixture
def secure(app: Starlette) -> None:
    federation: Federation = app.state.federation
    app.state.federation = replace(
        federation, settings=replace(federation.settings, authorized_fetch=True)
    )


async def test_unsigned_gets_are_refused_but_keys_stay_reachable(
    client: httpx.AsyncClient, db: Database, secure: None
) -> None:
    await make_campaign(slug="cleanup")
    for path in PROTECTED:
        assert (await client.get(path, headers=AS2)).status_code == 401, path
    for path in PUBLIC:
        assert (await client.get(path, headers=AS2)).status_code == 200, path


async def test_signed_gets_are_served_unless_the_signer_is_blocked(
    client: httpx.AsyncClient, db: Database, secure: None, alice: FakeActor
) -> None:
    await make_campaign(slug="cleanup")
    auth = HttpSignatureAuth(alice.key, double_knock=False)
    for path in PROTECTED:
        assert (await client.get(path, headers=AS2, auth=auth)).status_code == 200, path
    await block("mastodon.example")
    assert (await client.get(PROTECTED[0], headers=AS2, auth=auth)).status_code == 403


async def test_off_by_default(client: httpx.AsyncClient, db: Database) -> None:
    await make_campaign(slug="cleanup")
    for path in PROTECTED:
        assert (await client.get(path, headers=AS2)).status_code == 200, path
