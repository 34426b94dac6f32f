"""What federation code needs at run time: settings, URLs, the one safe client, signing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from activitypub.fetcher import SafeClient
from activitypub.keys import KeyPair
from activitypub.signing import HttpSignatureAuth
from fedimob import __version__
from fedimob.domain.actors import ensure_keys, instance_actor
from fedimob.federation.hosts import BlockList
from fedimob.federation.key_memory import KeyMemory
from fedimob.federation.urls import LocalUrls
from fedimob.models import Actor
from fedimob.settings import Settings


def make_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> SafeClient:
    """The safe client every outbound request goes through."""
    return SafeClient(
        user_agent=f"fedimob/{__version__} (+{settings.url})",
        allow_private=settings.dev_allow_private_network,
        transport=transport,
    )


@dataclass(frozen=True, slots=True)
class Federation:
    settings: Settings
    client: SafeClient
    # Per-instance caches (several instances may share a process in tests).
    blocks: BlockList = field(default_factory=BlockList)
    keys: KeyMemory = field(default_factory=KeyMemory)

    @property
    def urls(self) -> LocalUrls:
        return LocalUrls(self.settings)

    async def signer(self, actor: Actor) -> HttpSignatureAuth:
        """An httpx.Auth signing as `actor` (a local actor; keys made on first use)."""
        keyed = await ensure_keys(actor)
        return HttpSignatureAuth(KeyPair.from_pem(self.urls.key_id(keyed), keyed.private_key_pem))

    async def fetch_object(self, url: str, *, follow_redirects: bool = True) -> dict[str, Any]:
        """GET a remote object, signed as the instance actor (authorized-fetch servers)."""
        auth = await self.signer(await instance_actor())
        return await self.client.fetch_object(url, auth=auth, follow_redirects=follow_redirects)
