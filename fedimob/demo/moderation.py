"""What the admin pages show: a report from another server, a blocked domain, a failing host.

The report arrives as a `Flag` through the inbox's handler. The block is an
admin's, through the same service as the blocks page. The failing host is
what delivery jobs write (`note_delivery`, fed the library's own verdict of
an HTTP 503) on three past days; no job is queued to it, so nothing ever
tries to reach it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from activitypub.retry import classify_status
from fedimob.demo.local import LocalDemo
from fedimob.demo.network import DemoFediverse
from fedimob.federation.domain_blocks import add_block
from fedimob.federation.hosts import note_delivery

REPORTER = "social.example"
BLOCKED = "spam.example"
FAILING = "quiet.example"
REPORTED = "nathan"


async def load_moderation(fediverse: DemoFediverse, local: LocalDemo, now: datetime) -> None:
    settings = fediverse.settings
    reporter = await fediverse.remote_actor(
        REPORTER, REPORTER, "social.example moderation", kind="Application", path="/actor"
    )
    await fediverse.receive(
        {"id": f"https://{REPORTER}/reports/1", "type": "Flag",
         "object": [settings.absolute(f"/users/{REPORTED}")],
         "content": "This account replies “join” to every post of ours, with a link to a "
                    "shop. Could you have a look?"},
        reporter, at=now - timedelta(hours=20),
    )  # fmt: skip
    await add_block(
        BLOCKED, "Fake join requests from throwaway accounts, hundreds a day.",
        own_url=settings.url, by=local.organiser,
    )  # fmt: skip
    for days_ago in (3, 2, 1):
        for hours in (0, 2):
            moment = now - timedelta(days=days_ago, hours=hours)
            await note_delivery(FAILING, classify_status(503, now=moment), now=moment)
