"""Organisers for the dashboard tests: an association, its owner logged in, and strangers.

`ours` belongs to camille (logged in on `client`); `theirs` belongs to dana, who
organises another association and must see nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from fedimob.models import Account, Actor, Association
from tests.fedimob.factories import make_association
from tests.web.forms import ORIGIN, log_in, make_user


@dataclass
class Organiser:
    owner: Account
    ours: Association


@dataclass
class Organisers(Organiser):
    stranger: Account
    theirs: Association


async def organiser(client: httpx.AsyncClient) -> Organiser:
    """Only camille, owner of `amis`, logged in (for tests that need no stranger)."""
    owner = await make_user("camille", display_name="Camille")
    ours = await make_association(owner, "amis")
    await log_in(client, "camille")
    return Organiser(owner, ours)


async def organisers(client: httpx.AsyncClient) -> Organisers:
    """camille, logged in, and dana with an association of her own."""
    stranger = await make_user("dana")
    theirs = await make_association(stranger, "autres")
    mine = await organiser(client)
    return Organisers(mine.owner, mine.ours, stranger, theirs)


def another_browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app (its own cookies)."""
    return httpx.AsyncClient(transport=client._transport, base_url=ORIGIN)


async def remote_actor(username: str, domain: str, display_name: str = "") -> Actor:
    return await Actor.create(
        ap_id=f"https://{domain}/users/{username}",
        username=username,
        domain=domain,
        display_name=display_name,
        inbox_url=f"https://{domain}/users/{username}/inbox",
    )


async def post_without_token(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None
) -> httpx.Response:
    """A form posted from our origin but without its CSRF token."""
    return await client.post(path, data=data or {"x": "1"}, headers={"origin": ORIGIN})
