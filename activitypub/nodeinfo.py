"""NodeInfo 2.1: describing this server, and finding out what software a peer runs.

Serving: `/.well-known/nodeinfo` answers `build_nodeinfo_links` (the schema
link, plus the instance actor per FEP-2677), and the linked URL answers
`build_nodeinfo`. Finding: `discover_nodeinfo` reads a peer's links and its
NodeInfo through the same `JSONGetter` port as WebFinger, so we can adapt
to quirks by software name (e.g. who understands `Join`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict
from urllib.parse import urlsplit

from activitypub.errors import InvalidDocument
from activitypub.ids import is_valid_id, origin_of
from activitypub.vocab import as_document, iter_values
from activitypub.webfinger import JSONGetter

__all__ = [
    "NODEINFO_PATH",
    "NODEINFO_SCHEMA_PREFIX",
    "REL_APPLICATION_ACTOR",
    "NodeInfo",
    "NodeInfoLinks",
    "NodeInfoSummary",
    "build_nodeinfo",
    "build_nodeinfo_links",
    "discover_nodeinfo",
    "read_nodeinfo_links",
]

NODEINFO_PATH = "/.well-known/nodeinfo"
NODEINFO_SCHEMA_PREFIX = "http://nodeinfo.diaspora.software/ns/schema/"
#: FEP-2677: the link to the server's instance (Application) actor.
REL_APPLICATION_ACTOR = "https://www.w3.org/ns/activitystreams#Application"
# Best first; 1.x describes the same fields for our purpose (software name).
_SCHEMA_VERSIONS = ("2.1", "2.0", "1.1", "1.0")
_SOFTWARE_NAME = re.compile(r"^[a-z0-9-]{1,100}$")


class _Software(TypedDict):
    name: str
    version: str
    repository: NotRequired[str]
    homepage: NotRequired[str]


class _Users(TypedDict):
    total: int
    activeMonth: int
    activeHalfyear: int


class _Usage(TypedDict):
    users: _Users
    localPosts: int


class _Services(TypedDict):
    inbound: list[str]
    outbound: list[str]


class NodeInfo(TypedDict):
    """A NodeInfo 2.1 document."""

    version: str
    software: _Software
    protocols: list[str]
    services: _Services
    openRegistrations: bool
    usage: _Usage
    metadata: dict[str, Any]


class _Link(TypedDict):
    rel: str
    href: str


class NodeInfoLinks(TypedDict):
    """The `/.well-known/nodeinfo` document."""

    links: list[_Link]


def build_nodeinfo(
    software_name: str,
    software_version: str,
    *,
    users_total: int,
    users_active_month: int,
    users_active_halfyear: int,
    local_posts: int,
    open_registrations: bool,
    repository: str | None = None,
    homepage: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> NodeInfo:
    """A NodeInfo 2.1 document; the schema requires a lower-case software name."""
    if not _SOFTWARE_NAME.match(software_name):
        raise ValueError("software name must match [a-z0-9-]+")
    software: _Software = {"name": software_name, "version": software_version}
    if repository is not None:
        software["repository"] = repository
    if homepage is not None:
        software["homepage"] = homepage
    return {
        "version": "2.1",
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {
                "total": users_total,
                "activeMonth": users_active_month,
                "activeHalfyear": users_active_halfyear,
            },
            "localPosts": local_posts,
        },
        "metadata": dict(metadata or {}),
    }


def build_nodeinfo_links(nodeinfo_url: str, application_actor: str | None = None) -> NodeInfoLinks:
    """The `/.well-known/nodeinfo` document: the 2.1 schema link, and the
    instance actor (FEP-2677) so peers can find whom to expect signed fetches from."""
    links: list[_Link] = [{"rel": f"{NODEINFO_SCHEMA_PREFIX}2.1", "href": nodeinfo_url}]
    if application_actor is not None:
        links.append({"rel": REL_APPLICATION_ACTOR, "href": application_actor})
    return {"links": links}


def read_nodeinfo_links(doc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """From a `/.well-known/nodeinfo` document: (best NodeInfo URL, instance actor).

    Either may be None. Some servers write the schema rel with `https`; both
    spellings are accepted. Invalid hrefs are skipped.
    """
    best: tuple[int, str] | None = None
    actor: str | None = None
    for link in iter_values(as_document(doc).get("links"), limit=32, field="links"):
        if not isinstance(link, Mapping):
            continue
        rel, href = link.get("rel"), link.get("href")
        if not isinstance(rel, str) or not isinstance(href, str) or not is_valid_id(href):
            continue
        if rel == REL_APPLICATION_ACTOR:
            actor = actor or href
            continue
        version = rel.removeprefix("http://nodeinfo.diaspora.software/ns/schema/")
        version = version.removeprefix("https://nodeinfo.diaspora.software/ns/schema/")
        if version in _SCHEMA_VERSIONS:
            rank = _SCHEMA_VERSIONS.index(version)
            if best is None or rank < best[0]:
                best = (rank, href)
    return (best[1] if best else None), actor


@dataclass(frozen=True, slots=True)
class NodeInfoSummary:
    """What we keep of a peer's NodeInfo."""

    url: str
    software_name: str
    software_version: str | None = None
    application_actor: str | None = None


async def discover_nodeinfo(
    host: str, get_json: JSONGetter, *, scheme: str = "https"
) -> NodeInfoSummary:
    """Find `host`'s NodeInfo and read its software name (lower-cased).

    `host` may carry a port (development). Raises InvalidDocument when the
    host, the links or the NodeInfo are unusable; FetchError passes through
    from `get_json` (the caller's retry policy decides).
    """
    base = f"{scheme}://{host}"
    if urlsplit(base).netloc != host or urlsplit(base).path:
        raise InvalidDocument("not a host")
    origin_of(base + NODEINFO_PATH)
    links = await get_json(base + NODEINFO_PATH, accept="application/json")
    url, actor = read_nodeinfo_links(links)
    if url is None:
        raise InvalidDocument(f"{host} advertises no NodeInfo")
    info = as_document(await get_json(url, accept="application/json"))
    software = info.get("software")
    name = software.get("name") if isinstance(software, Mapping) else None
    if not isinstance(name, str) or not 0 < len(name) <= 100:
        raise InvalidDocument("NodeInfo has no software name")
    version = software.get("version") if isinstance(software, Mapping) else None
    return NodeInfoSummary(
        url=url,
        software_name=name.lower(),
        software_version=version if isinstance(version, str) and len(version) <= 100 else None,
        application_actor=actor,
    )
