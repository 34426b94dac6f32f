"""Domain blocks as admins make them: the domain checked, the change recorded, the cache told.

`fedimob.federation.hosts` stores blocks and answers "is this host blocked?";
this module adds what a person typing into a form needs: a strict reading of
the domain (no scheme, no path, not ourselves), a reason of bounded length,
and an audit line naming the admin. Both `block()` and `unblock()` only write
rows and bump the in-process generation that every `BlockList` checks, so the
inbox of this process refuses a newly blocked domain on its next request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fedimob.errors import NotFound, ValidationError
from fedimob.federation.hosts import block, blocked_domains, host_of, normalise_domain, unblock
from fedimob.models import Account, RemoteHost, Report

audit = logging.getLogger("fedimob.audit")

MAX_DOMAIN_LENGTH = 253
MAX_REASON_LENGTH = 1000


class DomainRefused(ValidationError):
    """A domain (or address) refused; `problem` says why, for a message in the reader's language.

    problem: "empty", "shape" (not a bare domain), "own" (ours), "blocked".
    """

    def __init__(self, message: str, *, problem: str, field: str = "domain") -> None:
        super().__init__(message, field=field)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class DomainBlock:
    domain: str
    reason: str
    blocked_at: datetime | None


def read_domain(text: str, *, own_url: str) -> str:
    """A domain as an admin types it (`Spam.Example`, `bücher.example`) -> `spam.example`.

    IDNA-normalised and case-folded. Refused: empty, a scheme, a path, a port,
    user info, spaces, our own domain or one of its parents (that block would
    cover us).
    """
    candidate = text.strip().rstrip(".")
    if not candidate:
        raise DomainRefused("enter a domain, like spam.example", problem="empty")
    shape = "enter the domain alone (spam.example), without http://, a path or a port"
    if len(candidate) > MAX_DOMAIN_LENGTH or any(char in candidate for char in "/:@?#*\\"):
        raise DomainRefused(shape, problem="shape")
    try:
        host = normalise_domain(candidate)
    except ValidationError:
        raise DomainRefused(shape, problem="shape") from None
    own = host_of(own_url)
    if host == own or own.endswith("." + host):
        raise DomainRefused("this is our own domain", problem="own")
    return host


def read_reason(text: str) -> str:
    reason = " ".join(text.split())
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            f"the reason is too long ({MAX_REASON_LENGTH} characters at most)", field="reason"
        )
    return reason


async def list_blocks() -> list[DomainBlock]:
    return [
        DomainBlock(row.domain, row.block_reason, row.blocked_at) for row in await blocked_domains()
    ]


async def blocked_count() -> int:
    return await RemoteHost.filter(blocked=True).count()


async def add_block(
    domain: str, reason: str, *, own_url: str, by: Account, context: str = ""
) -> DomainBlock:
    """Block a domain (and its subdomains); blocking it again updates the reason."""
    host, why = read_domain(domain, own_url=own_url), read_reason(reason)
    row = await block(host, reason=why)
    audit.info("admin %s blocked %s%s", by.username, row.domain, context)
    return DomainBlock(row.domain, row.block_reason, row.blocked_at)


async def remove_block(domain: str, *, by: Account) -> None:
    """Lift a block; NotFound when that domain was not blocked."""
    try:
        host = normalise_domain(domain)
    except ValidationError:
        raise NotFound(f"{domain!r} is not blocked") from None
    if not await unblock(host):
        raise NotFound(f"{host} is not blocked")
    audit.info("admin %s lifted the block of %s", by.username, host)


async def block_reporter_domain(report_id: int, *, own_url: str, by: Account) -> DomainBlock:
    """Block the domain a report came from (a report used to harass, or spam)."""
    report = await Report.get_or_none(id=report_id).select_related("reporter")
    if report is None:
        raise NotFound(f"no report {report_id}")
    host = host_of(report.reporter.ap_id or "")
    if not host:
        raise ValidationError("the reporter has no domain to block", field="domain")
    reason = f"report {report_id}"
    return await add_block(host, reason, own_url=own_url, by=by, context=f" (report {report_id})")
