"""Regions: the instances ours follows (and those following ours), as admins manage them.

Following another instance means our instance actor follows theirs (or an
actor of theirs, such as an association): its campaigns then show here
("From other instances"). Finding that actor needs the network, so asking
is split in two:

    request_follow()        the admin's input checked, a job queued       (the web form)
    on_follow_requested     the job: the actor found (NodeInfo for a bare
                            domain, WebFinger for a handle, or the URL given),
                            fetched, and `Follow` sent (fedimob.federation.follows)
    Accept{Follow}          the follow becomes accepted (fedimob.federation.follows)

Until the job has run, the request shows as pending; then the `Follow` row
shows, pending until the other side accepts. Unfollowing needs no lookup:
the followed actor is stored, so `unfollow()` writes the `Undo` and its
delivery jobs in the request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from activitypub.errors import (
    ActivityPubError,
    FetchTimeout,
    HTTPStatusError,
    InvalidDocument,
    NetworkError,
    WebFingerError,
)
from activitypub.ids import origin_of
from activitypub.nodeinfo import discover_nodeinfo
from activitypub.webfinger import parse_handle
from fedimob.domain.actors import instance_actor
from fedimob.errors import NotFound
from fedimob.federation.context import Federation
from fedimob.federation.domain_blocks import DomainRefused
from fedimob.federation.follows import follow_remote, unfollow_remote
from fedimob.federation.hosts import host_of, is_blocked
from fedimob.jobs.queue import enqueue
from fedimob.jobs.registry import JobRegistry, JobRun, PermanentJobError
from fedimob.models import Account, Follow, Job, JobState
from fedimob.settings import Settings

log = logging.getLogger(__name__)
audit = logging.getLogger("fedimob.audit")

FOLLOW_JOB = "federation.follow_requested"
FOLLOW_ATTEMPTS = 5
MAX_TARGET_LENGTH = 2048
LISTED = 200


@dataclass(frozen=True, slots=True)
class FollowTarget:
    """What an admin asked to follow: `kind` is "domain", "handle" or "actor"."""

    kind: str
    value: str
    host: str


@dataclass(frozen=True, slots=True)
class FollowRequest:
    """A follow asked for whose job has not (successfully) run yet."""

    id: int
    target: str
    state: str  # "pending" (queued or running) or "failed"
    error: str
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class FollowedInstance:
    follow_id: int
    actor_id: str
    handle: str
    name: str
    domain: str
    state: str
    since: datetime | None


def _netloc(scheme: str, host: str, port: int) -> str:
    default = {"http": 80, "https": 443}[scheme]
    return host if port == default else f"{host}:{port}"


def read_target(text: str, settings: Settings) -> FollowTarget:
    """An admin's input: `region.example`, `https://region.example`, an actor URL or a handle."""
    value = text.strip()
    if not value:
        raise DomainRefused(
            "enter a domain, an address or a handle", problem="empty", field="target"
        )
    shape = f"{value[:100]!r} is not a domain, an address or a handle"
    if len(value) > MAX_TARGET_LENGTH:
        raise DomainRefused(shape, problem="shape", field="target")
    try:
        if value.startswith(("https://", "http://")):
            # Plain http only reaches development peers (FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK).
            origin = origin_of(value, require_https=not settings.dev_allow_private_network)
            path = value.split("://", 1)[1].partition("/")[2]
            netloc = _netloc(origin.scheme, origin.host, origin.port)
            if not path.strip("/"):  # the instance's address: follow the instance
                target = FollowTarget("domain", netloc, origin.host)
            else:
                target = FollowTarget("actor", value, origin.host)
        elif "@" in value:
            handle = parse_handle(value)
            target = FollowTarget("handle", str(handle), host_of(f"https://{handle.host}/"))
        else:
            origin = origin_of(f"https://{value.rstrip('/')}/")
            if "/" in value.rstrip("/") or "." not in origin.host:
                raise InvalidDocument("not a domain")
            target = FollowTarget("domain", _netloc("https", origin.host, origin.port), origin.host)
    except (InvalidDocument, WebFingerError):
        raise DomainRefused(shape, problem="shape", field="target") from None
    if not target.host or target.host == host_of(settings.url):
        raise DomainRefused("this is our own instance", problem="own", field="target")
    return target


async def request_follow(text: str, settings: Settings, *, by: Account) -> FollowRequest:
    """Check what to follow and queue the job that finds it and sends the `Follow`."""
    target = read_target(text, settings)
    if await is_blocked(target.host):
        raise DomainRefused(f"{target.host} is blocked", problem="blocked", field="target")
    job = await enqueue(
        FOLLOW_JOB,
        {"kind": target.kind, "target": target.value, "by": by.username},
        key=f"{FOLLOW_JOB}:{target.value}",
        max_attempts=FOLLOW_ATTEMPTS,
    )
    audit.info("admin %s asked to follow %s", by.username, target.value)
    return _request(job)


def _request(job: Job) -> FollowRequest:
    return FollowRequest(
        id=job.id,
        target=str(job.payload.get("target", "")),
        state="failed" if job.state == JobState.FAILED else "pending",
        error=job.last_error or "" if job.state == JobState.FAILED else "",
        requested_at=job.created_at,
    )


async def follow_requests() -> list[FollowRequest]:
    """Follows asked for whose job is queued, running, or gave up (newest first)."""
    jobs = (
        await Job.filter(
            kind=FOLLOW_JOB, state__in=[JobState.PENDING, JobState.RUNNING, JobState.FAILED]
        )
        .order_by("-id")
        .limit(LISTED)
    )
    return [_request(job) for job in jobs]


async def cancel_request(job_id: int, *, by: Account) -> None:
    """Forget a follow request not yet running (or one that failed)."""
    deleted = await Job.filter(
        id=job_id, kind=FOLLOW_JOB, state__in=[JobState.PENDING, JobState.FAILED]
    ).delete()
    if not deleted:
        raise NotFound(f"no follow request {job_id} to cancel")
    audit.info("admin %s cancelled follow request %s", by.username, job_id)


def _handle(username: str, domain: str | None) -> str:
    return f"@{username}@{domain}" if domain else ""


async def followed_instances() -> list[FollowedInstance]:
    """Whom our instance actor follows (or asked to), with the state of each follow."""
    instance = await instance_actor()
    rows = await Follow.filter(follower_id=instance.id).select_related("followed").order_by("id")
    return [
        FollowedInstance(
            follow_id=row.id,
            actor_id=row.followed.ap_id or "",
            handle=_handle(row.followed.username, row.followed.domain),
            name=row.followed.display_name or row.followed.username,
            domain=row.followed.domain or "",
            state=str(row.state),
            since=row.accepted_at or row.created_at,
        )
        for row in rows
        if row.followed.domain is not None
    ]


async def following_instances() -> list[FollowedInstance]:
    """The remote actors that follow our instance actor."""
    instance = await instance_actor()
    rows = (
        await Follow.filter(followed_id=instance.id, follower__domain__isnull=False)
        .select_related("follower")
        .order_by("id")
        .limit(LISTED)
    )
    return [
        FollowedInstance(
            follow_id=row.id,
            actor_id=row.follower.ap_id or "",
            handle=_handle(row.follower.username, row.follower.domain),
            name=row.follower.display_name or row.follower.username,
            domain=row.follower.domain or "",
            state=str(row.state),
            since=row.accepted_at or row.created_at,
        )
        for row in rows
    ]


async def unfollow(federation: Federation, follow_id: int, *, by: Account) -> str:
    """Stop following: `Undo{Follow}` queued to the stored actor (no lookup). Its id back."""
    instance = await instance_actor()
    row = await Follow.get_or_none(id=follow_id, follower_id=instance.id).select_related("followed")
    if row is None or row.followed.domain is None or not row.followed.ap_id:
        raise NotFound(f"our instance has no follow {follow_id}")
    # The actor is stored under this id, so unfollow_remote finds it without fetching.
    await unfollow_remote(federation, instance, row.followed.ap_id)
    audit.info("admin %s unfollowed %s", by.username, row.followed.ap_id)
    return row.followed.ap_id


async def _actor_of_domain(federation: Federation, netloc: str, scheme: str) -> str:
    """The instance actor a server advertises in its NodeInfo (FEP-2677)."""
    summary = await discover_nodeinfo(netloc, federation.client.get_json, scheme=scheme)
    actor = summary.application_actor
    if actor is None:
        raise PermanentJobError(
            f"{netloc} advertises no instance actor; follow one of its actors by URL or handle"
        )
    if host_of(actor) != host_of(f"{scheme}://{netloc}/"):
        raise PermanentJobError(f"{netloc} advertises an instance actor on another host")
    return actor


def _transient(error: ActivityPubError) -> bool:
    cause = error.__cause__ if isinstance(error, WebFingerError) else error
    if isinstance(cause, FetchTimeout | NetworkError):
        return True
    return isinstance(cause, HTTPStatusError) and (
        cause.status_code >= 500 or cause.status_code in (408, 429)
    )


async def on_follow_requested(federation: Federation, run: JobRun) -> None:
    """The job: find the actor to follow, then send our instance actor's `Follow`."""
    kind, target = run.payload.get("kind"), run.payload.get("target")
    if kind not in ("domain", "handle", "actor") or not isinstance(target, str):
        raise PermanentJobError(f"bad follow request {run.payload!r}")
    scheme = "http" if federation.settings.dev_allow_private_network else "https"
    host = host_of(target if kind == "actor" else f"https://{target.rsplit('@', 1)[-1]}/")
    if await is_blocked(host):  # blocked since it was asked
        raise PermanentJobError(f"{host} is blocked")
    try:
        actor = await _actor_of_domain(federation, target, scheme) if kind == "domain" else target
        row = await follow_remote(federation, await instance_actor(), actor)
    except ActivityPubError as error:
        if _transient(error):
            raise  # the worker retries with backoff
        raise PermanentJobError(f"{target}: {error}") from None
    log.info("follow of %s requested (%s)", target, row.state)


def register_jobs(registry: JobRegistry, federation: Federation) -> None:
    async def on_job(run: JobRun) -> None:
        await on_follow_requested(federation, run)

    registry.register(FOLLOW_JOB)(on_job)
