"""Local actors as ActivityStreams documents (what Mastodon and others fetch)."""

from __future__ import annotations

from typing import Any

from activitypub.contexts import fedimob_context
from fedimob.federation.urls import LocalUrls
from fedimob.models import Actor, ActorKind

AS2_TYPES: dict[ActorKind, str] = {
    ActorKind.APPLICATION: "Application",
    ActorKind.PERSON: "Person",
    ActorKind.ORGANIZATION: "Organization",
    ActorKind.GROUP: "Group",
    ActorKind.SERVICE: "Service",
}


def actor_document(
    actor: Actor, urls: LocalUrls, *, profile_url: str | None, icon_url: str | None = None
) -> dict[str, Any]:
    """The AS2 document of a local actor, with its public key and endpoints."""
    actor_id = urls.actor_id(actor)
    handle_name = actor.username
    document: dict[str, Any] = {
        "@context": fedimob_context(),
        "id": actor_id,
        "type": AS2_TYPES[ActorKind(actor.kind)],
        "preferredUsername": handle_name,
        "name": actor.display_name or handle_name,
        "summary": actor.summary,
        "inbox": urls.inbox(actor),
        "outbox": urls.outbox(actor),
        "followers": urls.followers(actor),
        "following": urls.following(actor),
        "endpoints": {"sharedInbox": urls.shared_inbox},
        "publicKey": {
            "id": urls.key_id(actor),
            "owner": actor_id,
            "publicKeyPem": actor.public_key_pem,
        },
        "manuallyApprovesFollowers": False,
        "discoverable": actor.kind != ActorKind.APPLICATION,
        # FEP-2c59: the handle this actor is found by.
        "webfinger": f"acct:{handle_name}@{urls.settings.domain}",
    }
    if profile_url:
        document["url"] = profile_url
    if icon_url:
        document["icon"] = {"type": "Image", "url": icon_url}
    if actor.created_at is not None:
        document["published"] = actor.created_at.isoformat().replace("+00:00", "Z")
    return document
