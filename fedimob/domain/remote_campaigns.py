"""Other instances' campaigns that this one shows, as plain data for the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedimob.clock import utcnow
from fedimob.models import RemoteCampaign


def _percent(row: RemoteCampaign) -> int:
    if row.goal_target <= 0:
        return 0
    done = row.pledged_minutes / 60 if row.goal_kind == "hours" else row.participants_count
    return int(done * 100 / row.goal_target)


async def running_remote_campaigns(
    *, now: datetime | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Remote campaigns still open, ending soonest first."""
    rows = (
        await RemoteCampaign.filter(deleted_at__isnull=True, deadline__gt=now or utcnow())
        .order_by("deadline", "id")
        .limit(limit)
    )
    return [
        {
            "title": row.title,
            "url": row.url or row.ap_id,
            "domain": row.domain,
            "goal_kind": row.goal_kind,
            "goal": row.goal_target,
            "participants": row.participants_count,
            "pledged_minutes": row.pledged_minutes,
            "from_here": row.local_participants,
            "progress_percent": _percent(row),
            "deadline": row.deadline.isoformat().replace("+00:00", "Z") if row.deadline else None,
        }
        for row in rows
    ]
