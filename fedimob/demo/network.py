"""The demo's other servers, answered in this process: nothing leaves the machine.

Remote people, instances and campaigns live at `.example` hosts (RFC 2606:
never a real server). `DemoFediverse` serves their documents (actors,
Events, NodeInfo) to our federation code through an `httpx.MockTransport`
and accepts every POST to their inboxes, so the demo runs the real code
paths end to end:

    receive()     an activity from one of them, handled by the very handler
                  the inbox's processing job calls (fedimob.federation.registry)
    run_jobs()    our queued jobs, run by a real worker: announcements,
                  count updates, notices, and deliveries (to these fakes)

Once `run_jobs()` has drained the queue, no job is left that would reach
for the network; only jobs scheduled for later (deadlines, reminders) stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from activitypub.contexts import fedimob_context
from activitypub.nodeinfo import build_nodeinfo, build_nodeinfo_links
from fedimob.clock import utcnow
from fedimob.federation.context import Federation, make_client
from fedimob.federation.processing import Incoming
from fedimob.federation.registry import activity_handlers
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.jobs.kinds import default_registry
from fedimob.jobs.worker import Worker, WorkerStats
from fedimob.models import Actor
from fedimob.settings import Settings

AS2 = "application/activity+json"
JSON = "application/json"
NODEINFO_PATH = "/nodeinfo/2.1"


def _key(url: str) -> str:
    """What a document is found by: host and path (http and https alike, no query)."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path}"


@dataclass
class DemoFediverse:
    """Fake servers at `.example` hosts, and our instance's federation wired to them."""

    settings: Settings
    documents: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    inboxes: set[str] = field(default_factory=set)
    # What our instance delivered to them: (inbox, activity type).
    received: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.federation = Federation(self.settings, make_client(self.settings, self.transport()))
        self.handlers = activity_handlers()
        self.worker = Worker(default_registry(self.federation), worker_id="demo")

    async def close(self) -> None:
        await self.federation.client.aclose()

    # The servers' side.

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._answer)

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        key = _key(str(request.url))
        if request.method == "POST":
            if key not in self.inboxes:
                return httpx.Response(404)
            activity = orjson.loads(request.content)
            self.received.append((str(request.url), str(activity.get("type", "?"))))
            return httpx.Response(202)
        found = self.documents.get(key)
        if found is None:
            return httpx.Response(404)
        document, content_type = found
        return httpx.Response(200, json=document, headers={"Content-Type": content_type})

    def serve(
        self, document: dict[str, Any], *, at: str | None = None, content_type: str = AS2
    ) -> dict[str, Any]:
        """Make `document` answer at `at` (by default, at its `id`)."""
        self.documents[_key(at or document["id"])] = (dict(document), content_type)
        return document

    def actor_document(
        self, host: str, username: str, name: str, *, kind: str = "Person", path: str = ""
    ) -> dict[str, Any]:
        """An actor of `host`, Mastodon-shaped, served at `https://host{path}`.

        No key: the demo's activities are handed to the handlers, not signed.
        """
        actor_id = f"https://{host}{path or f'/users/{username}'}"
        document: dict[str, Any] = {
            "@context": fedimob_context(),
            "id": actor_id,
            "type": kind,
            "preferredUsername": username,
            "name": name,
            "inbox": f"{actor_id}/inbox",
            "outbox": f"{actor_id}/outbox",
            "followers": f"{actor_id}/followers",
            "endpoints": {"sharedInbox": f"https://{host}/inbox"},
            "url": f"https://{host}/@{username}" if kind == "Person" else actor_id,
        }
        self.inboxes.update({_key(document["inbox"]), _key(f"https://{host}/inbox")})
        return self.serve(document)

    async def remote_actor(
        self, host: str, username: str, name: str, *, kind: str = "Person", path: str = ""
    ) -> Actor:
        """An actor of `host`, served and also known to us (as a verified signature leaves it)."""
        return await store_remote_actor(
            self.actor_document(host, username, name, kind=kind, path=path)
        )

    def instance(self, host: str, name: str, *, software: str = "fedimob") -> dict[str, Any]:
        """A whole instance: its `Application` actor, advertised by its NodeInfo (FEP-2677)."""
        actor = self.actor_document(host, host, name, kind="Application", path="/actor")
        nodeinfo = f"https://{host}{NODEINFO_PATH}"
        links = build_nodeinfo_links(nodeinfo, actor["id"])
        info = build_nodeinfo(
            software, "0.1.0", users_total=120, users_active_month=45,
            users_active_halfyear=80, local_posts=30, open_registrations=True,
        )  # fmt: skip
        self.serve(dict(links), at=f"https://{host}/.well-known/nodeinfo", content_type=JSON)
        self.serve(dict(info), at=nodeinfo, content_type=JSON)
        return actor

    # Our side.

    async def receive(
        self, activity: dict[str, Any], actor: Actor, *, at: datetime | None = None
    ) -> None:
        """Handle `activity` from `actor` as the inbox's processing job would, at `at`."""
        handler = self.handlers.get(activity["type"])
        if handler is None:
            raise ValueError(f"no handler for {activity['type']}")
        document = {"@context": fedimob_context(), "actor": actor.ap_id, **activity}
        if at is not None:
            document.setdefault("published", at.isoformat().replace("+00:00", "Z"))
        await handler(Incoming(self.federation, document, actor, at or utcnow()))

    async def run_jobs(self, *, at: datetime | None = None) -> WorkerStats:
        """Run every job due at `at` (a moment of the demo's past), or due now.

        Jobs are queued with the real time, so a past `at` only runs those
        scheduled for then (reminders, deadlines): history in order.
        """
        stats = await self.worker.run_once(now=at)
        if stats.retried or stats.failed:
            raise RuntimeError(f"demo jobs did not all succeed: {stats}")
        return stats
