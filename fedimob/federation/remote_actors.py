"""Remote actors: reading their documents tolerantly and keeping a cached copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from activitypub.errors import InvalidDocument
from activitypub.ids import is_valid_id, same_origin
from activitypub.vocab import read_id, read_public_keys, read_string, read_types
from fedimob.clock import utcnow
from fedimob.domain.text import sanitise_html
from fedimob.models import Actor, ActorKind

ACTOR_KINDS = {
    "Person": ActorKind.PERSON,
    "Group": ActorKind.GROUP,
    "Organization": ActorKind.ORGANIZATION,
    "Application": ActorKind.APPLICATION,
    "Service": ActorKind.SERVICE,
}


@dataclass(frozen=True, slots=True)
class RemoteActorFields:
    ap_id: str
    domain: str
    fields: dict[str, Any]


def _link(doc: dict[str, Any], field: str, actor_id: str, *, required: bool = False) -> str:
    value = doc.get(field)
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    if not isinstance(value, str) or not value:
        if required:
            raise InvalidDocument(f"actor {actor_id} has no {field}")
        return ""
    if not same_origin(value, actor_id):
        raise InvalidDocument(f"actor {actor_id}: {field} is on another origin")
    return value


def _text(doc: dict[str, Any], field: str, maximum: int) -> str:
    """A display string without control characters, cut to `maximum`.

    A long bio is no reason to refuse an actor; a NUL byte would be refused
    by PostgreSQL, and other controls only serve to mislead.
    """
    value = doc.get(field)
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value[: maximum * 2] if ch >= " " or ch in "\n\t")[:maximum]


def web_url(value: object) -> str:
    """An http(s) URL to link to, or nothing (no javascript:, no controls)."""
    return value if isinstance(value, str) and is_valid_id(value) else ""


def read_actor(doc: dict[str, Any]) -> RemoteActorFields:
    """The fields we keep of a remote actor document; InvalidDocument if unusable."""
    actor_id = read_id(doc)
    kinds = [ACTOR_KINDS[t] for t in read_types(doc) if t in ACTOR_KINDS]
    if not kinds:
        raise InvalidDocument(f"{actor_id} is not an actor")
    username = read_string(doc, "preferredUsername", limit=255) or ""
    if not username or any(ch < " " or ch == "\x7f" for ch in username):
        raise InvalidDocument(f"actor {actor_id} has no usable preferredUsername")
    keys = [key for key in read_public_keys(doc) if key.pem and key.owner in (None, actor_id)]
    key = next((k for k in keys if same_origin(k.id, actor_id)), None)
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    icon = doc.get("icon")
    icon_url = icon.get("url") if isinstance(icon, dict) else None
    url = doc.get("url")
    return RemoteActorFields(
        ap_id=actor_id,
        domain=(urlsplit(actor_id).netloc or "").lower(),
        fields={
            "username": username,
            "kind": kinds[0],
            "display_name": _text(doc, "name", 200),
            "summary": sanitise_html(_text(doc, "summary", 10_000)),
            "url": web_url(url),
            "icon_url": web_url(icon_url),
            "inbox_url": _link(doc, "inbox", actor_id, required=True),
            "shared_inbox_url": _link(endpoints or {}, "sharedInbox", actor_id),
            "followers_url": _link(doc, "followers", actor_id),
            "key_id": key.id if key else None,
            "public_key_pem": key.pem if key and key.pem else "",
        },
    )


async def store_remote_actor(doc: dict[str, Any], *, now: datetime | None = None) -> Actor:
    """Create or refresh the cached copy of a remote actor from its (verified) document."""
    parsed = read_actor(doc)
    values = {**parsed.fields, "domain": parsed.domain, "fetched_at": now or utcnow()}
    existing = await Actor.get_or_none(ap_id=parsed.ap_id)
    if existing is None:
        try:
            return await Actor.create(ap_id=parsed.ap_id, **values)
        except IntegrityError:  # stored concurrently: refresh that row instead
            existing = await Actor.get(ap_id=parsed.ap_id)
    if existing.domain is None:
        raise InvalidDocument(f"{parsed.ap_id} names a local actor")
    await Actor.filter(id=existing.id).update(**values, deleted_at=None)
    return await Actor.get(id=existing.id)
