"""Withdrawing by a signed link: what a remote participant gets in their confirmation.

A Mastodon vote cannot be undone, and a remote person has no account here,
so the direct message that confirms a participation carries a link signed
with the instance's secret. The link names one participation; whoever holds
it may withdraw that participation, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from fedimob.domain.participation import Change, leave
from fedimob.errors import NotFound
from fedimob.models import Participation

PURPOSE = b"fedimob withdraw v1"


def withdraw_token(secret: str, participation_id: int, participant_id: int) -> str:
    """A token for one participation (its id and its participant's, so ids are not reused)."""
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    message = f"{participation_id}:{participant_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def withdraw_path(secret: str, participation: Participation) -> str:
    participant_id: int = participation.participant_id  # type: ignore[attr-defined]
    token = withdraw_token(secret, participation.id, participant_id)
    return f"/withdraw/{participation.id}/{token}"


async def participation_for(secret: str, participation_id: int, token: str) -> Participation:
    """The participation a link names; NotFound for a wrong or foreign token."""
    row = await Participation.get_or_none(id=participation_id).select_related(
        "campaign", "participant"
    )
    expected = withdraw_token(secret, participation_id, row.participant_id) if row else ""  # type: ignore[attr-defined]
    # Bytes, not str: compare_digest refuses non-ASCII str, and a refusal that
    # only happens when the row exists would tell which ids exist.
    if row is None or not hmac.compare_digest(expected.encode(), token[:64].encode()):
        raise NotFound("this link is not valid (any more)")
    return row


async def withdraw_by_link(
    secret: str, participation_id: int, token: str, *, now: datetime | None = None
) -> Change:
    """Withdraw the participation a valid link names; leaving twice changes nothing."""
    row = await participation_for(secret, participation_id, token)
    return await leave(row.campaign, row.participant, now=now)
