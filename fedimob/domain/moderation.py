"""Reports received (`Flag`s from other servers) and what admins do about them.

A report names things of ours (only those are kept when it arrives: see
`fedimob.federation.actor_updates.on_flag`). Admins read it, then close it
as resolved or dismissed, and may act from it: suspend a local account it
names, or block the reporter's domain (`fedimob.federation.domain_blocks`).

Every action writes one line to the `fedimob.audit` logger: which admin did
what to which report or account. Nothing personal beyond usernames and
domains goes there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from fedimob.clock import utcnow
from fedimob.domain.accounts import disable_account
from fedimob.domain.text import html_to_text
from fedimob.errors import NotFound, PermissionDenied
from fedimob.models import Account, Report

audit = logging.getLogger("fedimob.audit")

PAGE_SIZE = 50
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
    report = await Report.get_or_none(id=report_id).select_related("reporter")
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
    if account.id == by.id:
        raise PermissionDenied("you cannot suspend your own account")
    if account.is_active:
        await disable_account(account)
        audit.info(
            "admin %s suspended account %s (report %s)", by.username, account.username, report_id
        )
    return account
