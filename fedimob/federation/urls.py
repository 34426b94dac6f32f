"""The shapes of local ActivityPub ids, and their inverse.

    /actor                          the instance actor (Application)
    /users/{name}                   a person
    /associations/{name}            an association (Organization)
    /campaigns/{slug}               a campaign's actor (Group), same URL as its page
    /campaigns/{slug}/event         the campaign's Event object
    {actor}/inbox, /outbox, /followers, /following; {actor}#main-key
    /inbox                          the shared inbox

Ids are derived from FEDIMOB_URL: changing it changes every actor's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fedimob.models import Actor, ActorKind
from fedimob.settings import Settings

ACTOR_PREFIXES: dict[ActorKind, str] = {
    ActorKind.PERSON: "/users/",
    ActorKind.ORGANIZATION: "/associations/",
    ActorKind.GROUP: "/campaigns/",
}
INSTANCE_ACTOR_PATH = "/actor"
SHARED_INBOX_PATH = "/inbox"


@dataclass(frozen=True, slots=True)
class LocalUrls:
    settings: Settings

    def actor_path(self, actor: Actor) -> str:
        if actor.kind == ActorKind.APPLICATION:
            return INSTANCE_ACTOR_PATH
        return ACTOR_PREFIXES[ActorKind(actor.kind)] + actor.username

    def actor_id(self, actor: Actor) -> str:
        """The ActivityPub id of any actor (stored for remote, derived for local)."""
        if actor.domain is not None:
            return actor.ap_id or ""
        return self.settings.absolute(self.actor_path(actor))

    def key_id(self, actor: Actor) -> str:
        return f"{self.actor_id(actor)}#main-key"

    def inbox(self, actor: Actor) -> str:
        return self.actor_id(actor) + "/inbox"

    def outbox(self, actor: Actor) -> str:
        return self.actor_id(actor) + "/outbox"

    def followers(self, actor: Actor) -> str:
        return self.actor_id(actor) + "/followers"

    def following(self, actor: Actor) -> str:
        return self.actor_id(actor) + "/following"

    @property
    def shared_inbox(self) -> str:
        return self.settings.absolute(SHARED_INBOX_PATH)

    def event_id(self, slug: str) -> str:
        return self.settings.absolute(f"/campaigns/{slug}/event")

    def is_local(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. "https://[oops/x": not ours, not anyone's
            return False
        base = urlsplit(self.settings.url)
        return (parts.scheme, parts.netloc.lower()) == (base.scheme, base.netloc)

    def parse_actor_id(self, url: str) -> tuple[ActorKind, str] | None:
        """(kind, name) for a local actor id, or None if `url` is not one."""
        if not self.is_local(url):
            return None
        path = urlsplit(url).path
        if path == INSTANCE_ACTOR_PATH:
            return ActorKind.APPLICATION, ""
        for kind, prefix in ACTOR_PREFIXES.items():
            name = path.removeprefix(prefix)
            if name != path and name and "/" not in name:
                return kind, name
        return None
