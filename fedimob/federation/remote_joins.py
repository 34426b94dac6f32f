"""Our people joining other instances' campaigns: a `Join` out, `Accept`/`Reject` back.

The campaign's home instance keeps the real participation and the counts. We
keep one `RemoteJoin` per (campaign, person) so the person's pages show it,
and the owner's `Update{Event}` (its `instanceBreakdown`) tells how many of
the participants are from here.

    join_remote()      RemoteJoin requested, a Join queued   (a web form, the CLI)
    leave_remote()     RemoteJoin withdrawn, a Leave queued
    on_send            the job: the owner found (fetched once), the activity sent
    Accept{our Join}   accepted, and a notice for the person
    Reject{our Join}   rejected (full, ended, declined), and a notice
    a direct Note      from the owner of a campaign we joined: a notice

The service calls only write rows and jobs; the job does the network work.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from activitypub.contexts import fedimob_context
from activitypub.errors import ActivityPubError
from activitypub.vocab import has_type, read_ref, require_ref
from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.campaign_input import MAX_PLEDGE_MINUTES
from fedimob.domain.notices import notify
from fedimob.domain.text import html_to_text
from fedimob.errors import JoinRefused, NotFound, ValidationError
from fedimob.federation.context import Federation
from fedimob.federation.follows import on_reject as on_follow_rejected
from fedimob.federation.outbox import activity, new_activity_id, send
from fedimob.federation.processing import ActivityHandlers, Incoming
from fedimob.federation.remote_actors import store_remote_actor, web_url
from fedimob.federation.urls import LocalUrls
from fedimob.jobs.queue import enqueue
from fedimob.jobs.registry import JobRun, PermanentJobError
from fedimob.models import (
    Account,
    Actor,
    OutboxActivity,
    ParticipationState,
    RemoteCampaign,
    RemoteJoin,
)

log = logging.getLogger(__name__)
SEND_JOB = "remote_join.send"
ACTIVE = (ParticipationState.REQUESTED, ParticipationState.ACCEPTED)

NOTICES = {
    "accepted": {
        "en": "You're in “{title}” ({domain}). Thank you!",
        "fr": "Vous participez à « {title} » ({domain}). Merci !",
    },
    "rejected": {
        "en": "Your participation in “{title}” ({domain}) was not accepted: {reason}",
        "fr": "Votre participation à « {title} » ({domain}) n'a pas été acceptée : {reason}",
    },
}


async def remote_campaign(ap_id: str) -> RemoteCampaign:
    row = await RemoteCampaign.get_or_none(ap_id=ap_id, deleted_at__isnull=True)
    if row is None:
        raise NotFound(f"no campaign {ap_id} is shown here")
    return row


async def join_remote(
    urls: LocalUrls,
    person: Actor,
    campaign: RemoteCampaign,
    *,
    pledge_minutes: int | None = None,
    now: datetime | None = None,
) -> RemoteJoin:
    """Ask the home instance to count `person` in; idempotent while nothing changes."""
    now = now or utcnow()
    if not person.is_local:
        raise ValidationError("only people of this instance join through it", field="person")
    if campaign.deleted_at is not None:
        raise JoinRefused(f"{campaign.title} was cancelled", reason="cancelled")
    if campaign.deadline is not None and campaign.deadline <= now:
        raise JoinRefused(f"{campaign.title} has ended", reason="ended")
    pledge = pledge_minutes or 60
    if not 1 <= pledge <= MAX_PLEDGE_MINUTES:
        raise ValidationError(
            f"a pledge must be 1 to {MAX_PLEDGE_MINUTES} minutes", field="pledge_minutes"
        )
    async with in_transaction():
        row = await RemoteJoin.get_or_none(campaign_id=campaign.id, participant_id=person.id)
        if row is not None and row.state in ACTIVE and row.pledge_minutes == pledge:
            return row
        join_id = new_activity_id(urls)
        if row is None:
            row = await RemoteJoin.create(
                campaign=campaign,
                participant=person,
                state=ParticipationState.REQUESTED,
                pledge_minutes=pledge,
                ap_id=join_id,
            )
        else:
            # A new pledge is a new Join: the home instance updates the one participation.
            row.state, row.pledge_minutes, row.ap_id = ParticipationState.REQUESTED, pledge, join_id
            await row.save()
        await enqueue(SEND_JOB, {"remote_join_id": row.id, "join": join_id})
    return row


async def leave_remote(person: Actor, campaign: RemoteCampaign) -> RemoteJoin:
    """Withdraw; leaving twice changes nothing."""
    async with in_transaction():
        row = await RemoteJoin.get_or_none(campaign_id=campaign.id, participant_id=person.id)
        if row is None:
            raise NotFound(f"{person.username} does not take part in {campaign.title}")
        if row.state not in ACTIVE:
            return row
        row.state = ParticipationState.WITHDRAWN
        await row.save(update_fields=["state", "updated_at"])
        await enqueue(SEND_JOB, {"remote_join_id": row.id, "leave": row.ap_id})
    return row


async def campaign_owner(federation: Federation, campaign: RemoteCampaign) -> Actor:
    """The campaign's actor: known from its signed Updates, or fetched once."""
    owner = await Actor.get_or_none(ap_id=campaign.owner_id, domain__isnull=False)
    if owner is not None and owner.inbox_url:
        return owner
    try:
        return await store_remote_actor(await federation.fetch_object(campaign.owner_id))
    except ActivityPubError as error:
        raise PermanentJobError(f"{campaign.owner_id} could not be fetched: {error}") from None


async def on_send(federation: Federation, run: JobRun) -> None:
    """Send the Join (or Leave) a person asked for, unless they changed their mind since."""
    row = await RemoteJoin.get_or_none(id=run.payload.get("remote_join_id")).select_related(
        "campaign", "participant"
    )
    if row is None:
        return
    joining = run.payload.get("join")
    if joining is not None and (joining != row.ap_id or row.state not in ACTIVE):
        return  # superseded: a newer Join or a Leave was asked for
    if joining is None and row.state != ParticipationState.WITHDRAWN:
        return  # joined again since: the newer Join says it all
    owner = await campaign_owner(federation, row.campaign)
    person, event = row.participant, row.campaign.ap_id
    if joining is not None:
        document: dict[str, Any] = {
            "@context": fedimob_context(),
            "id": joining,
            "type": "Join",
            "actor": federation.urls.actor_id(person),
            "object": event,
            "pledgedMinutes": row.pledge_minutes,
            "to": [owner.ap_id],
            "published": run.now.isoformat().replace("+00:00", "Z"),
        }
    else:
        document = activity(federation.urls, person, "Leave", event, to=[owner.ap_id or ""])
    async with in_transaction():
        if await OutboxActivity.exists(ap_id=document["id"]):
            return  # this job ran before and its transaction committed
        await send(person, document, recipients=[owner], now=run.now)


async def _answered(incoming: Incoming) -> RemoteJoin | None:
    """Our RemoteJoin that an Accept/Reject from the campaign's owner answers."""
    ref = require_ref(incoming.activity, "object")
    row = await RemoteJoin.get_or_none(ap_id=ref.id).select_related("campaign", "participant")
    local_id = incoming.federation.urls.is_local(ref.id)  # ours, but not the latest: stale
    if row is None and not local_id and ref.embedded is not None and has_type(ref.embedded, "Join"):
        # Some servers name their own copy of our Join: match what it joined, and who.
        target, who = read_ref(ref.embedded, "object"), read_ref(ref.embedded, "actor")
        if target is not None and who is not None:
            row = await RemoteJoin.get_or_none(
                campaign__ap_id=target.id, participant__ap_id=who.id
            ).select_related("campaign", "participant")
            if row is None:
                parsed = incoming.federation.urls.parse_actor_id(who.id)
                row = await RemoteJoin.get_or_none(
                    campaign__ap_id=target.id, participant__username=parsed[1] if parsed else "",
                    participant__domain__isnull=True,
                ).select_related("campaign", "participant")  # fmt: skip
    if row is None or row.campaign.owner_id != incoming.actor.ap_id:
        return None  # not ours, or not the owner speaking for the campaign
    return row


def _notice_text(kind: str, account: Account, campaign: RemoteCampaign, reason: str) -> str:
    texts = NOTICES[kind]
    template = texts.get(account.language[:2], texts["en"])
    return template.format(title=campaign.title, domain=campaign.domain, reason=reason)


async def _tell_person(row: RemoteJoin, kind: str, incoming: Incoming, reason: str = "") -> None:
    account = await Account.get_or_none(actor_id=row.participant.id)
    if account is not None:
        await notify(
            account.id, kind, _notice_text(kind, account, row.campaign, reason),
            url=row.campaign.url or row.campaign.ap_id, key=f"{kind}:{incoming.activity['id']}",
            now=incoming.now,
        )  # fmt: skip


async def on_join_answered(incoming: Incoming, *, accepted: bool) -> bool:
    """Accept or Reject of one of our Joins; False if it answers something else."""
    row = await _answered(incoming)
    if row is None:
        return False
    target = ParticipationState.ACCEPTED if accepted else ParticipationState.REJECTED
    # An Accept can only confirm a pending Join; a Reject may also end an accepted one.
    allowed = (ParticipationState.REQUESTED,) if accepted else ACTIVE
    updated = await RemoteJoin.filter(id=row.id, state__in=allowed).update(state=target)
    if updated:
        reason = incoming.activity.get("summary")
        reason_text = html_to_text(reason)[:300] if isinstance(reason, str) else ""
        await _tell_person(row, "accepted" if accepted else "rejected", incoming, reason_text)
    return True


async def on_reject(incoming: Incoming) -> None:
    if not await on_join_answered(incoming, accepted=False):
        await on_follow_rejected(incoming)


async def on_direct_message(incoming: Incoming, note: dict[str, Any]) -> bool:
    """A Note from a campaign one of our people joined, to them: shown as a notice."""
    author = read_ref(note, "attributedTo")
    if author is None or author.id != incoming.actor.ap_id:
        return False
    if not await RemoteCampaign.exists(owner_id=incoming.actor.ap_id):
        return False
    content = note.get("content")
    text = html_to_text(content)[:2000] if isinstance(content, str) else ""
    if not text:
        return False
    recipients = [
        to for to in [*_ids(note.get("to")), *_ids(note.get("cc"))]
        if incoming.federation.urls.is_local(to)
    ]  # fmt: skip
    told = False
    for recipient in recipients:
        parsed = incoming.federation.urls.parse_actor_id(recipient)
        if parsed is None:
            continue
        account = await Account.get_or_none(username=parsed[1].lower()).select_related("actor")
        if account is None or not await RemoteJoin.exists(
            participant_id=account.actor.id, campaign__owner_id=incoming.actor.ap_id
        ):
            continue
        note_id = note.get("id") if isinstance(note.get("id"), str) else incoming.activity["id"]
        await notify(account.id, "message", text, url=web_url(note.get("url")),
                     key=f"message:{note_id}:{account.id}", now=incoming.now)  # fmt: skip
        told = True
    return told


def _ids(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def register(handlers: ActivityHandlers) -> None:
    handlers.on("Reject")(on_reject)  # Accept: see participation.on_accept


__all__ = [
    "SEND_JOB",
    "join_remote",
    "leave_remote",
    "on_direct_message",
    "on_join_answered",
    "on_send",
    "remote_campaign",
]
