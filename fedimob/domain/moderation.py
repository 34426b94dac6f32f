"""Reports received (`Flag`s from other servers) and what admins do to local accounts.

A report names things of ours (only those are kept when it arrives: see
`fedimob.federation.actor_updates.on_flag`). Admins read it, then close it
as resolved or dismissed, and may act from it: suspend a local account it
names, or block the reporter's domain (`fedimob.federation.domain_blocks`).

From the accounts list, admins also suspend an account directly (giving a
reason), reinstate a suspended one, and grant or revoke admin rights.
Suspending is local only: the account cannot log in, its sessions end, its
actor and page answer 404; nothing is federated, and its participations,
memberships and follows stay. Reinstating undoes exactly that (the ended
sessions stay ended: the person logs in again).

The instance always keeps an active admin, and nobody suspends themselves or
takes their own admin rights away. Each change that could remove an admin
runs under the admins' row locks (`_lock_admins`), so two admins removing
each other at the same moment cannot both succeed.

Every action writes one line to the `fedimob.audit` logger: which admin did
what to which report or account. Nothing personal beyond usernames, domains
and the reason an admin typed goes there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from fedimob.clock import utcnow
from fedimob.db import in_transaction
from fedimob.domain.accounts import disable_account
from fedimob.domain.text import html_to_text
from fedimob.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from fedimob.models import Account, Report

audit = logging.getLogger("fedimob.audit")

PAGE_SIZE = 50
MAX_REASON_LENGTH = 1000
MAX_ID = 2**63  # ids are 64-bit: a larger one is found nowhere (and must not reach SQL)
# A local person's actor id is {instance}/users/{name} (fedimob.federation.urls).
PERSON_PREFIX = "/users/"


class Closing(StrEnum):
    """How an admin closes a report (both set `resolved_at`; the audit line says which)."""

    RESOLVED = "resolved"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class NamedObject:
    url: str
    # The local account this id designates (a person's actor id), if any.
    username: str | None = None
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    reporter_id: str
    reporter_name: str
    reporter_domain: str | None
    # The report's text, as plain text (stored sanitised HTML, tags dropped).
    text: str
    objects: tuple[NamedObject, ...]
    received_at: datetime
    resolved_at: datetime | None


def _person_named(url: str, instance_url: str) -> str | None:
    parts, base = urlsplit(url), urlsplit(instance_url)
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc):
        return None
    name = parts.path.removeprefix(PERSON_PREFIX)
    return name if name != parts.path and name and "/" not in name else None


async def _views(reports: list[Report], instance_url: str) -> list[ReportView]:
    named = {
        url: _person_named(url, instance_url) for report in reports for url in report.object_ids
    }
    usernames = {name for name in named.values() if name}
    accounts = {
        account.username: account
        for account in await Account.filter(username__in=sorted(usernames))
    }
    views = []
    for report in reports:
        objects = []
        for url in report.object_ids:
            account = accounts.get(named[url] or "")
            objects.append(
                NamedObject(
                    url,
                    account.username if account else None,
                    suspended=bool(account and not account.is_active),
                )
            )
        reporter = report.reporter
        views.append(
            ReportView(
                id=report.id,
                reporter_id=reporter.ap_id or "",
                reporter_name=reporter.display_name or reporter.username,
                reporter_domain=reporter.domain,
                text=html_to_text(report.content),
                objects=tuple(objects),
                received_at=report.received_at,
                resolved_at=report.resolved_at,
            )
        )
    return views


async def list_reports(
    instance_url: str, *, resolved: bool = False, limit: int = PAGE_SIZE
) -> list[ReportView]:
    """Open reports, oldest first (the queue to work through); or closed ones, latest first."""
    query = Report.filter(resolved_at__isnull=not resolved).select_related("reporter")
    order = ("-resolved_at", "-id") if resolved else ("received_at", "id")
    return await _views(await query.order_by(*order).limit(limit), instance_url)


async def get_report(report_id: int, instance_url: str) -> ReportView:
    report = (
        await Report.get_or_none(id=report_id).select_related("reporter")
        if 0 < report_id < MAX_ID
        else None
    )
    if report is None:
        raise NotFound(f"no report {report_id}")
    [view] = await _views([report], instance_url)
    return view


async def open_report_count() -> int:
    return await Report.filter(resolved_at__isnull=True).count()


async def close_report(
    report_id: int, closing: Closing, *, by: Account, now: datetime | None = None
) -> bool:
    """Mark a report resolved or dismissed; False if it was closed already."""
    if not await Report.exists(id=report_id):
        raise NotFound(f"no report {report_id}")
    closed = await Report.filter(id=report_id, resolved_at__isnull=True).update(
        resolved_at=now or utcnow()
    )
    if closed:
        audit.info("admin %s closed report %s as %s", by.username, report_id, closing.value)
    return bool(closed)


async def suspend_named_account(
    report_id: int, username: str, instance_url: str, *, by: Account
) -> Account:
    """Suspend a local account the report names: it can no longer log in, its sessions end."""
    report = await get_report(report_id, instance_url)
    if username not in {item.username for item in report.objects if item.username}:
        raise NotFound(f"report {report_id} names no account {username!r}")
    account = await Account.get(username=username)
    await _suspend(account.id, by=by, why=f"(report {report_id})")
    return account


@dataclass(frozen=True, slots=True)
class AccountChange:
    """What an admin's action on an account did."""

    username: str
    # False: the account was so already, nothing changed (nor was logged).
    changed: bool


def read_reason(text: str) -> str:
    """A suspension's reason as kept: one line, 1 to MAX_REASON_LENGTH characters."""
    reason = " ".join(text.split())
    if not reason:
        raise ValidationError("give the reason for the suspension", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            f"the reason is too long ({MAX_REASON_LENGTH} characters at most)", field="reason"
        )
    if not reason.isprintable():
        raise ValidationError("the reason contains control characters", field="reason")
    return reason


async def _lock_admins() -> None:
    """Take every admin's row lock for the rest of the transaction.

    An UPDATE as first statement is the portable lock (see `lock_campaign`):
    PostgreSQL locks the rows, SQLite takes its write lock before we read.
    Every change that could remove an admin runs this same statement first,
    so they wait for each other, and then each reads what the other did.
    """
    await Account.filter(is_admin=True).update(is_admin=True)


async def _locked_target(account_id: int, by: Account) -> Account:
    """Under the admins' locks: the account acted upon, once `by` is known to be an admin still."""
    acting = await Account.get_or_none(id=by.id)
    if acting is None or not (acting.is_admin and acting.is_active):
        raise PermissionDenied("only the instance's admins may do this")
    account = await Account.get_or_none(id=account_id) if 0 < account_id < MAX_ID else None
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


async def _keep_an_admin(leaving: Account) -> None:
    if not (leaving.is_admin and leaving.is_active):
        return
    others = await Account.filter(is_admin=True, is_active=True).exclude(id=leaving.id).count()
    if not others:
        raise InvalidTransition("the instance keeps at least one active admin")


async def _suspend(account_id: int, *, by: Account, why: str) -> AccountChange:
    if account_id == by.id:
        raise PermissionDenied("you cannot suspend your own account")
    async with in_transaction():
        await _lock_admins()
        account = await _locked_target(account_id, by)
        if not account.is_active:
            return AccountChange(account.username, changed=False)
        await _keep_an_admin(account)
        await disable_account(account)
    audit.info("admin %s suspended account %s %s", by.username, account.username, why)
    return AccountChange(account.username, changed=True)


async def suspend_account(account_id: int, reason: str, *, by: Account) -> AccountChange:
    """Suspend a local account: it can no longer log in, its sessions end, its actor is hidden.

    ValidationError (field "reason") without a reason; PermissionDenied for
    oneself; InvalidTransition if it would leave no active admin.
    """
    why = read_reason(reason)
    return await _suspend(account_id, by=by, why=f"(reason: {why!r})")


async def reinstate_account(account_id: int, *, by: Account) -> AccountChange:
    """Lift a suspension: the person can log in again, their actor is served again."""
    async with in_transaction():
        await _lock_admins()
        account = await _locked_target(account_id, by)
        if account.is_active:
            return AccountChange(account.username, changed=False)
        await Account.filter(id=account.id).update(is_active=True)
    audit.info("admin %s reinstated account %s", by.username, account.username)
    return AccountChange(account.username, changed=True)


async def grant_admin(account_id: int, *, by: Account) -> AccountChange:
    """Make an active account an admin; InvalidTransition for a suspended one."""
    async with in_transaction():
        await _lock_admins()
        account = await _locked_target(account_id, by)
        if account.is_admin:
            return AccountChange(account.username, changed=False)
        if not account.is_active:
            raise InvalidTransition(f"{account.username} is suspended: reinstate them first")
        await Account.filter(id=account.id).update(is_admin=True)
    audit.info("admin %s granted admin rights to %s", by.username, account.username)
    return AccountChange(account.username, changed=True)


async def revoke_admin(account_id: int, *, by: Account) -> AccountChange:
    """Take an account's admin rights away; never one's own, never the last active admin's."""
    if account_id == by.id:
        raise PermissionDenied("you cannot remove your own admin rights")
    async with in_transaction():
        await _lock_admins()
        account = await _locked_target(account_id, by)
        if not account.is_admin:
            return AccountChange(account.username, changed=False)
        await _keep_an_admin(account)
        await Account.filter(id=account.id).update(is_admin=False)
    audit.info("admin %s revoked the admin rights of %s", by.username, account.username)
    return AccountChange(account.username, changed=True)
