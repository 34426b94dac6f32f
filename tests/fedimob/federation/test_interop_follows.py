"""Follows and unfollows in the shapes each server software sends them.

The shapes follow real payloads (Mastodon, Pleroma/Akkoma, Misskey, Hubzilla,
Osada, GoToSocial, Mobilizon, Friendica, Lemmy): actor as an id or embedded,
ids with fragments, `@context` as a string, a list or with inline maps, `to`
and `cc` as strings or lists. Each peer checks our Accept's signature.
"""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse
from fedimob.db import Database
from fedimob.jobs.worker import Worker
from fedimob.models import Follow, InboxItem, InboxState
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import post

TARGET = "https://fedimob.test/campaigns/cleanup"
AS2 = "https://www.w3.org/ns/activitystreams"
Shape = Callable[[FakeActor], dict[str, Any]]

FOLLOWS: dict[str, Shape] = {
    "mastodon": lambda a: {
        "@context": AS2, "id": f"{a.base_url}/{a.username}#follows/1", "type": "Follow",
        "actor": a.id, "object": TARGET,
    },
    "pleroma": lambda a: {
        "@context": [AS2, f"{a.base_url}/schemas/litepub-0.1.jsonld", {"@language": "und"}],
        "id": f"{a.base_url}/activities/dab6a4d3", "type": "Follow", "actor": a.id,
        "object": TARGET, "to": [TARGET], "cc": [], "state": "pending",
    },
    "misskey": lambda a: {
        "@context": [AS2, "https://w3id.org/security/v1",
                     {"Key": "sec:Key", "_misskey_content": "misskey:_misskey_content"}],
        "id": f"{a.base_url}/follows/9abc/9def", "type": "Follow", "actor": a.id, "object": TARGET,
    },
    "hubzilla": lambda a: {
        "@context": [AS2, "https://w3id.org/security/v1"], "id": f"{a.id}#follows/2",
        "type": "Follow", "actor": {"id": a.id}, "object": TARGET, "nickname": "cleanup",
    },
    "osada": lambda a: {
        "@context": [AS2, "https://w3id.org/security/v1", f"{a.base_url}/apschema/v1.4"],
        "id": f"{a.base_url}/follow/9", "type": "Follow", "actor": a.document(), "object": TARGET,
    },
    "gotosocial": lambda a: {
        "@context": AS2, "id": f"{a.id}/follow/01HQ8Z0R1V", "type": "Follow", "actor": a.id,
        "object": TARGET,
    },
    "mobilizon": lambda a: {
        "@context": [AS2, "https://litepub.social/litepub/context.jsonld", {"mz": "https://joinmobilizon.org/ns#"}],
        "id": f"{a.base_url}/follow/2f1b", "type": "Follow", "actor": a.id, "object": TARGET,
        "to": TARGET, "cc": ["https://www.w3.org/ns/activitystreams#Public"],
    },
    "friendica": lambda a: {
        "@context": [AS2, "https://w3id.org/security/v1", {"diaspora": "https://diasporafoundation.org/ns/"}],
        "id": f"{a.base_url}/activity/58d2-4e0f-8a6b", "type": "Follow", "actor": a.id,
        "object": TARGET, "instrument": {"type": "Service", "name": "Friendica"},
    },
    "lemmy": lambda a: {
        "id": f"{a.base_url}/activities/follow/dc2f1bc5", "type": "Follow", "actor": a.id,
        "object": TARGET, "to": [TARGET],
    },
}  # fmt: skip


def undo_of(follow: dict[str, Any], actor: FakeActor, *, by_id: bool) -> dict[str, Any]:
    inner: Any = follow["id"] if by_id else {k: v for k, v in follow.items() if k != "@context"}
    return {
        "@context": AS2,
        "id": f"{follow['id']}/undo",
        "type": "Undo",
        "actor": actor.id,
        "object": inner,
    }


@pytest.mark.parametrize("software", sorted(FOLLOWS))
async def test_follow_and_unfollow_from_each_kind_of_server(
    client: httpx.AsyncClient, worker: Worker, db: Database, fediverse: FakeFediverse, software: str
) -> None:
    peer = fediverse.add_peer(f"{software}.example", software=software, verify_signatures=True)
    person = peer.add_actor("someone")
    await make_campaign(slug="cleanup")
    follow = FOLLOWS[software](person)
    assert (await post(client, "/campaigns/cleanup/inbox", follow, person)).status_code == 202
    await worker.run_once()
    assert await Follow.filter(ap_id=follow["id"]).exists()
    [accept] = [d for d in peer.deliveries if d.activity["type"] == "Accept"]
    assert accept.status == 202, accept.reason
    assert accept.activity["object"]["id"] == follow["id"]

    undo = undo_of(follow, person, by_id=software in {"misskey", "gotosocial"})
    assert (await post(client, "/inbox", undo, person)).status_code == 202
    await worker.run_once()
    assert not await Follow.exists()
    assert await InboxItem.filter(state=InboxState.PROCESSED).count() == 2
