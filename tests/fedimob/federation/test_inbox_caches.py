"""What keeps the inbox fast stays correct: remembered keys, the cached block list, the gate."""

import httpx
from starlette.applications import Starlette

from activitypub.keys import generate_rsa_key
from activitypub.testing import FakeActor
from activitypub.verify import ResolvedKey
from fedimob.db import Database
from fedimob.federation.hosts import BlockList, block
from fedimob.federation.key_memory import KeyMemory
from fedimob.federation.ratelimit import InFlight
from fedimob.models import RemoteHost
from tests.fedimob.factories import make_campaign
from tests.fedimob.federation.conftest import follow_of, post

CAMPAIGN = "https://fedimob.test/campaigns/river"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_key_memory_expires_evicts_and_forgets_owners() -> None:
    clock = Clock()
    memory = KeyMemory(ttl=10, size=2, clock=clock)
    key = generate_rsa_key().public_key()
    memory.put("a#k", ResolvedKey(key, "a", fresh=True))
    memory.put("b#k", ResolvedKey(key, "b"))
    assert memory.get("a#k") == ResolvedKey(key, "a")  # remembered keys are never "fresh"
    memory.put("c#k", ResolvedKey(key, "c"))  # evicts the least recently used: b
    assert memory.get("b#k") is None
    memory.forget_owner("c")
    assert memory.get("c#k") is None
    clock.now = 11
    assert memory.get("a#k") is None


async def test_a_block_made_here_applies_at_once_one_made_elsewhere_within_the_ttl(
    db: Database,
) -> None:
    clock = Clock()
    blocks = BlockList(ttl=5, clock=clock)
    assert not await blocks.contains("spam.example")
    await block("spam.example")
    assert await blocks.contains("sub.spam.example")
    await RemoteHost.create(domain="other.example", blocked=True)  # as another process would
    assert not await blocks.contains("other.example")
    clock.now = 6
    assert await blocks.contains("other.example")


async def test_the_inbox_applies_a_new_block_to_the_next_request(
    client: httpx.AsyncClient, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    assert (await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)).status_code == 202
    await block("mastodon.example")
    assert (await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)).status_code == 403


async def test_beyond_capacity_the_inbox_answers_503_at_once(
    app: Starlette, client: httpx.AsyncClient, db: Database, alice: FakeActor
) -> None:
    await make_campaign(slug="river")
    gate = InFlight(limit=1)
    gate.enter()  # one request already being handled
    app.state.inbox_in_flight = gate
    answer = await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
    gate.leave()
    assert (await post(client, "/inbox", follow_of(alice, CAMPAIGN), alice)).status_code == 202
    assert gate.current == 0
