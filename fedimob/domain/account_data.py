"""Everything the instance holds about a person, as one JSON document (GDPR export)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedimob.clock import utcnow
from fedimob.models import Account, Membership, Notice, Participation, RemoteJoin

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def export_account(account: Account, *, now: datetime | None = None) -> dict[str, Any]:
    """The person's account, participations (here and elsewhere), memberships and notices."""
    actor_id = account.actor_id  # type: ignore[attr-defined]
    participations = await Participation.filter(participant_id=actor_id).select_related("campaign")
    remote = await RemoteJoin.filter(participant_id=actor_id).select_related("campaign")
    memberships = await Membership.filter(account_id=account.id).select_related("association")
    notices = await Notice.filter(account_id=account.id).order_by("created_at")
    return {
        "format": "fedimob-account-export",
        "version": FORMAT_VERSION,
        "exported_at": _when(now or utcnow()),
        "account": {
            "username": account.username,
            "display_name": account.display_name,
            "email": account.email,
            "language": account.language,
            "is_admin": account.is_admin,
            "created_at": _when(account.created_at),
            "last_login_at": _when(account.last_login_at),
        },
        "participations": [
            {
                "campaign": p.campaign.slug,
                "title": p.campaign.title,
                "state": str(p.state),
                "pledge_minutes": p.pledge_minutes,
                "via": str(p.via),
                "listed": p.listed,
                "message": p.message,
                "reported_minutes": p.reported_minutes,
                "reported_impact": str(p.reported_impact)
                if p.reported_impact is not None
                else None,
                "reported_at": _when(p.reported_at),
                "joined_at": _when(p.created_at),
            }
            for p in participations
        ],
        "remote_participations": [
            {
                "campaign": j.campaign.ap_id,
                "title": j.campaign.title,
                "state": str(j.state),
                "pledge_minutes": j.pledge_minutes,
                "joined_at": _when(j.created_at),
            }
            for j in remote
        ],
        "memberships": [
            {
                "association": m.association.username,
                "name": m.association.name,
                "role": str(m.role),
                "since": _when(m.created_at),
            }
            for m in memberships
        ],
        "notices": [
            {
                "kind": n.kind,
                "text": n.text,
                "url": n.url,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in notices
        ],
    }
