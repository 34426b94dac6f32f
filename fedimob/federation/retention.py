"""How long federation records are kept (SECURITY.md: retention limits).

Inbound activities keep their payload for a week (enough to debug and to
reprocess), then only their id, for deduplication, until a month has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fedimob.models import InboxItem, InboxState

PAYLOAD_DAYS = 7
DEDUP_DAYS = 30


async def purge_inbox(now: datetime) -> None:
    done = [InboxState.PROCESSED, InboxState.FAILED]
    await InboxItem.filter(
        state__in=done, received_at__lt=now - timedelta(days=PAYLOAD_DAYS)
    ).update(payload={})
    await InboxItem.filter(received_at__lt=now - timedelta(days=DEDUP_DAYS)).delete()
