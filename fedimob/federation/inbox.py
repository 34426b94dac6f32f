"""The inbox: parse, verify, persist, answer 202. Processing is a job.

In order, each step answering for itself:

- more than 128 requests in flight: 503 + Retry-After (beyond capacity, never a timeout);
- per client address, before anything is verified: 429 + Retry-After;
- body streamed, at most 1 MiB: 413;
- a JSON object with id, a plain type and actor, no NUL anywhere: 400;
- the actor's domain (or a parent) blocked: 403;
- a Delete of itself by an actor we never stored: 202, nothing fetched or kept;
- HTTP signature valid and its owner the activity's actor: else 401 (generic body);
- per verified remote host: 429 + Retry-After;
- activity id on the actor's origin: else 400;
- stored once per activity id by the group writer: 202 (503 if the writer is full).
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from activitypub.errors import InvalidDocument, SignatureError
from activitypub.ids import same_origin
from activitypub.verify import VerifiedSignature, verify_request
from activitypub.vocab import loads_object, read_id, read_ref, read_types
from fedimob.clock import utcnow
from fedimob.federation.context import Federation
from fedimob.federation.hosts import host_of
from fedimob.federation.inbox_writer import InboxWriter, Overloaded, Received
from fedimob.federation.keys import StoredKeyResolver
from fedimob.federation.ratelimit import InFlight, TokenBuckets
from fedimob.models import Actor

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
TYPE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]{0,63}")


class Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise Refused(413, "the body is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "the body is too large")
    return bytes(body)


def _target(request: Request) -> str:
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")


def _has_nul(value: object) -> bool:
    """PostgreSQL refuses U+0000 in text and JSON; no real activity carries one."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def parse_activity(body: bytes) -> tuple[dict[str, Any], str, str, str]:
    """(activity, id, type, actor id) or Refused(400)."""
    try:
        activity = loads_object(body)
        activity_id = read_id(activity)
        types = read_types(activity)
        actor = read_ref(activity, "actor")
    except InvalidDocument as error:
        raise Refused(400, f"not an activity: {error}") from None
    if not types or actor is None:
        raise Refused(400, "not an activity: type and actor are required")
    if not TYPE_PATTERN.fullmatch(types[0]):
        raise Refused(400, "not an activity: unusable type")
    if _has_nul(activity):
        raise Refused(400, "not an activity: NUL characters")
    return activity, activity_id, types[0], actor.id


async def _self_delete_of_stranger(kind: str, actor_id: str, activity: dict[str, Any]) -> bool:
    """Mastodon tells every server when an account is deleted; a stranger's costs nothing."""
    if kind != "Delete":
        return False
    try:
        target = read_ref(activity, "object")
    except InvalidDocument:
        return False  # not a self-delete: verified like anything else
    return target is not None and target.id == actor_id and not await Actor.exists(ap_id=actor_id)


async def receive(request: Request) -> Response:
    gate: InFlight = request.app.state.inbox_in_flight
    if not gate.enter():
        return JSONResponse({"error": "busy, retry later"}, 503, headers={"retry-after": "5"})
    try:
        return await _receive(request)
    finally:
        gate.leave()


async def _receive(request: Request) -> Response:
    federation: Federation = request.app.state.federation
    try:
        # Before anything is verified, only the client's address can be charged:
        # charging the claimed host would let anyone exhaust a real peer's budget.
        _charge(request.app.state.inbox_ip_limiter, request.client.host if request.client else "")
        body = await read_body(request)
        activity, activity_id, kind, actor_id = parse_activity(body)
        host = host_of(actor_id)
        if await federation.blocks.contains(host):
            raise Refused(403, "forbidden")
        if await _self_delete_of_stranger(kind, actor_id, activity):
            return Response(status_code=202)
        verified = await _verify(request, federation, body)
        if verified.owner != actor_id:
            raise Refused(401, "signature verification failed")
        _charge(request.app.state.inbox_limiter, host)
        if not same_origin(activity_id, actor_id):
            raise Refused(400, "the activity id is not on its actor's origin")
        writer: InboxWriter = request.app.state.inbox_writer
        await writer.store(
            Received(activity_id, kind, verified.owner, verified.key_id, activity, utcnow())
        )
    except Overloaded:
        return JSONResponse({"error": "busy, retry later"}, 503, headers={"retry-after": "5"})
    except Refused as refusal:
        return JSONResponse({"error": str(refusal)}, refusal.status, headers=refusal.headers)
    return Response(status_code=202)


def _charge(limiter: TokenBuckets, key: str) -> None:
    wait = limiter.take(key)
    if wait is not None:
        raise Refused(429, "slow down", {"retry-after": str(math.ceil(wait))})


async def _verify(request: Request, federation: Federation, body: bytes) -> VerifiedSignature:
    try:
        verified = await verify_request(
            method=request.method,
            target=_target(request),
            headers=dict(request.headers),
            body=body,
            resolver=StoredKeyResolver(federation, request.app.state.key_guard),
            expected_host=federation.settings.domain,
            url_scheme=request.url.scheme,
        )
    except SignatureError as error:
        log.info("inbox: signature refused: %s", error)
        raise Refused(401, "signature verification failed") from None
    return verified


def inbox_routes() -> list[Route]:
    return [
        Route("/inbox", receive, methods=["POST"]),
        Route("/actor/inbox", receive, methods=["POST"]),
        Route("/users/{name:str}/inbox", receive, methods=["POST"]),
        Route("/associations/{name:str}/inbox", receive, methods=["POST"]),
        Route("/campaigns/{name:str}/inbox", receive, methods=["POST"]),
    ]
