"""Processing stored activities: one item that keeps failing neither blocks the others
nor stays pending for ever."""

from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.federation.context import Federation
from fedimob.federation.processing import ActivityHandlers, Incoming, process_items
from fedimob.jobs.registry import JobRun
from fedimob.models import Actor, InboxItem, InboxState

PEER = "https://peer.example/users/"


async def _stored(names: list[str]) -> list[str]:
    now = utcnow()
    ids = []
    for name in names:
        await Actor.get_or_create(
            ap_id=PEER + name, defaults={"username": name, "domain": "peer.example"}
        )
        activity_id = f"{PEER}{name}/activities/1"
        await InboxItem.create(
            activity_id=activity_id, activity_type="Like", actor_id=PEER + name,
            key_id=f"{PEER}{name}#main-key", received_at=now,
            payload={"id": activity_id, "type": "Like", "actor": PEER + name},
        )  # fmt: skip
        ids.append(activity_id)
    return ids


def _handlers(seen: list[str]) -> ActivityHandlers:
    handlers = ActivityHandlers()

    @handlers.on("Like")
    async def like(incoming: Incoming) -> None:
        if incoming.actor.username == "broken":
            raise RuntimeError("a bug, or the database went away")
        seen.append(incoming.actor.username)

    return handlers


async def _states() -> dict[str, tuple[str, str | None]]:
    return {i.actor_id.removeprefix(PEER): (str(i.state), i.error) for i in await InboxItem.all()}


async def test_a_failing_item_is_retried_alone_then_fails_for_good(
    db: Database, federation: Federation
) -> None:
    ids = await _stored(["first", "broken", "last"])
    seen: list[str] = []
    handlers = _handlers(seen)
    now = utcnow()
    with pytest.raises(RuntimeError, match="1 of 3"):  # the job fails, so it is retried
        await process_items(federation, handlers, JobRun({"activity_ids": ids}, now, 1, 3))
    assert seen == ["first", "last"]  # the broken one did not stop the last
    states = await _states()
    assert states["broken"] == ("pending", "RuntimeError: a bug, or the database went away")

    # The retry runs only what is still pending; the last attempt gives up on it.
    later = now + timedelta(minutes=5)
    await process_items(federation, handlers, JobRun({"activity_ids": ids}, later, 3, 3))
    assert seen == ["first", "last"]
    states = await _states()
    assert states["broken"][0] == "failed"
    assert {states["first"][0], states["last"][0]} == {str(InboxState.PROCESSED)}
