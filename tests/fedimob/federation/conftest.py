"""Helpers to talk to the instance under test as a remote server would."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson
import pytest

from activitypub.signing import HttpSignatureAuth
from activitypub.testing import FakeActor, FakeFediverse, FakePeer

AS2 = "application/activity+json"


@pytest.fixture
def mastodon(fediverse: FakeFediverse) -> FakePeer:
    """A remote server that verifies every signature it receives, as Mastodon does."""
    return fediverse.add_peer("mastodon.example", verify_signatures=True)


@pytest.fixture
def alice(mastodon: FakePeer) -> FakeActor:
    return mastodon.add_actor("alice")


def new_id(actor: FakeActor, kind: str = "activity") -> str:
    return f"{actor.id}/{kind}/{uuid.uuid4()}"


def follow_of(actor: FakeActor, target: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": new_id(actor),
        "type": "Follow",
        "actor": actor.id,
        "object": target,
    }


async def post(
    client: httpx.AsyncClient,
    path: str,
    activity: dict[str, Any] | bytes,
    signer: FakeActor | None,
    **headers: str,
) -> httpx.Response:
    body = activity if isinstance(activity, bytes) else orjson.dumps(activity)
    return await client.post(
        path,
        content=body,
        headers={"content-type": AS2, **headers},
        # One signature, no fallback: each test checks what its exact request gets.
        auth=HttpSignatureAuth(signer.key, double_knock=False) if signer else None,
    )
