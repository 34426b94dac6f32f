"""Demo data that shows every page: `fedimob demo`, which `make run` calls.

    local.py        the instance's profile, its people, associations and campaigns
                    in every state, with joins, reports, validations, notices
    remote.py       a followed region and its campaigns; people of Mastodon, Mobilizon,
                    Friendica and another fedimob joining ours; our volunteer's join of
                    a campaign elsewhere
    moderation.py   a report, a domain block, a failing host
    network.py      the other servers, all at `.example` hosts, answered in process

The remote servers do not exist, so the demo sends them nothing for real: its
own worker delivers what they are due to the in-process fakes before it
returns, and leaves only jobs scheduled for later (deadlines, reminders).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fedimob.clock import utcnow
from fedimob.demo.local import DEMO_PASSWORD, LocalDemo, load_local
from fedimob.demo.moderation import load_moderation
from fedimob.demo.network import DemoFediverse
from fedimob.demo.remote import HOSTS, answer_volunteer, load_remote
from fedimob.models import Account, CampaignState
from fedimob.settings import Settings

__all__ = ["DEMO_PASSWORD", "database_is_empty", "load_demo"]


async def database_is_empty() -> bool:
    return not await Account.exists()


async def load_demo(settings: Settings, *, now: datetime | None = None) -> dict[str, Any]:
    """Fill an empty database; return what was created, and who logs in (for the operator)."""
    now = now or utcnow()
    fediverse = DemoFediverse(settings)
    try:
        local = await load_local(fediverse, now)
        await load_remote(fediverse, local, now)
        await load_moderation(fediverse, local, now)
        await fediverse.run_jobs()  # what the fakes are due: our answers, counts, notices
        await answer_volunteer(fediverse, local, now)
        await fediverse.run_jobs()
    finally:
        await fediverse.close()
    return _summary(settings, local)


def _login(account: Account, role: str) -> dict[str, str]:
    return {"username": account.username, "password": DEMO_PASSWORD, "role": role}


def _summary(settings: Settings, local: LocalDemo) -> dict[str, Any]:
    return {
        "organiser": {"username": local.organiser.username, "password": DEMO_PASSWORD},
        "associations": [association.username for association in local.associations],
        "campaigns": list(local.campaigns),
        "running": [
            slug for slug, c in local.campaigns.items() if c.state == CampaignState.PUBLISHED
        ],
        "volunteers": len(local.people),
        "remote_hosts": list(HOSTS),
        "url": settings.url,
        "log_in_as": [
            _login(local.organiser, "organiser of both associations, admin"),
            _login(local.volunteer, "volunteer, see My participations"),
        ],
    }
