"""The delivery job: one signed POST of one activity to one inbox.

Every attempt goes through the library's safe client, its verdict updates the
host's health (circuit breaker, 7 failing days = unavailable), and the
library's retry policy decides when to try again.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime
from typing import Any

import orjson

from activitypub.audience import strip_hidden_recipients
from activitypub.retry import Outcome, RetryPolicy
from fedimob.federation.context import Federation
from fedimob.federation.hosts import breaker_open, health_of, host_of, is_blocked, note_delivery
from fedimob.jobs.registry import PermanentJobError, RetryLater
from fedimob.models import Actor, OutboxActivity

log = logging.getLogger(__name__)
POLICY = RetryPolicy()
_rng = random.SystemRandom()


async def deliver(
    federation: Federation, payload: dict[str, Any], now: datetime, *, attempt: int
) -> None:
    inbox = payload.get("inbox")
    activity_pk = payload.get("activity")
    if not isinstance(inbox, str) or not isinstance(activity_pk, int):
        raise PermanentJobError(f"bad delivery payload {payload!r}")
    host = host_of(inbox)
    if await is_blocked(host):
        log.info("delivery to %s dropped: domain blocked", host)
        return
    if (await health_of(host)).unavailable():
        raise PermanentJobError(f"{host} is unavailable (failing for 7 days)")
    if await breaker_open(host, now=now):
        raise RetryLater(f"{host}: circuit breaker open", delay=POLICY.ceiling(attempt))
    stored = await OutboxActivity.get_or_none(id=activity_pk).select_related("actor")
    if stored is None:
        return  # deleted meanwhile (e.g. its actor was erased): nothing to send
    body = orjson.dumps(strip_hidden_recipients(stored.payload))
    verdict = await federation.client.post(inbox, body, auth=await federation.signer(stored.actor))
    await note_delivery(host, verdict, now=now)
    if verdict.outcome is Outcome.SUCCESS:
        return
    if verdict.outcome is Outcome.GONE:
        await Actor.filter(inbox_url=inbox).update(inbox_url="")
        await Actor.filter(shared_inbox_url=inbox).update(shared_inbox_url="")
        raise PermanentJobError(f"{inbox} is gone (410)")
    if verdict.outcome is Outcome.FINAL:
        raise PermanentJobError(f"{inbox} refused: {verdict.reason or verdict.status_code}")
    delay = POLICY.next_delay(attempt, _rng, verdict.retry_after)
    raise RetryLater(f"{inbox}: {verdict.reason or verdict.status_code}", delay=delay)
