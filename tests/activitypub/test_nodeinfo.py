"""NodeInfo 2.1: our documents, and discovering what a peer runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from activitypub.errors import HTTPStatusError, InvalidDocument
from activitypub.nodeinfo import (
    REL_APPLICATION_ACTOR,
    NodeInfoSummary,
    build_nodeinfo,
    build_nodeinfo_links,
    discover_nodeinfo,
    read_nodeinfo_links,
)
from tests.activitypub.json_strategies import documents

FIXTURES = Path(__file__).parent / "fixtures" / "nodeinfo"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeGetter:
    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.calls: list[str] = []

    async def __call__(self, url: str, /, *, accept: str) -> Any:
        self.calls.append(url)
        if url not in self.documents:
            raise HTTPStatusError(404, url)
        return self.documents[url]


def test_build_nodeinfo_has_the_2_1_shape() -> None:
    document = build_nodeinfo(
        "fedimob",
        "0.1.0",
        users_total=10,
        users_active_month=4,
        users_active_halfyear=7,
        local_posts=3,
        open_registrations=True,
        repository="https://forge.example/fedimob",
        metadata={"nodeName": "Fedimob Marseille"},
    )
    assert document == {
        "version": "2.1",
        "software": {
            "name": "fedimob",
            "version": "0.1.0",
            "repository": "https://forge.example/fedimob",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {"users": {"total": 10, "activeMonth": 4, "activeHalfyear": 7}, "localPosts": 3},
        "metadata": {"nodeName": "Fedimob Marseille"},
    }
    with pytest.raises(ValueError, match="software name"):
        build_nodeinfo(
            "Fedimob",
            "1",
            users_total=0,
            users_active_month=0,
            users_active_halfyear=0,
            local_posts=0,
            open_registrations=False,
        )


def test_links_document_advertises_the_instance_actor() -> None:
    links = build_nodeinfo_links(
        "https://fedimob.example/nodeinfo/2.1", "https://fedimob.example/actor"
    )
    assert links == {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": "https://fedimob.example/nodeinfo/2.1",
            },
            {
                "rel": "https://www.w3.org/ns/activitystreams#Application",
                "href": "https://fedimob.example/actor",
            },
        ]
    }
    assert read_nodeinfo_links(json.loads(json.dumps(links))) == (
        "https://fedimob.example/nodeinfo/2.1",
        "https://fedimob.example/actor",
    )
    assert len(build_nodeinfo_links("https://fedimob.example/nodeinfo/2.1")["links"]) == 1


def test_read_links_prefers_the_newest_schema() -> None:
    assert read_nodeinfo_links(load("wellknown_fep2677.json")) == (
        "https://mobilizon.example/.well-known/nodeinfo/2.1",
        "https://mobilizon.example/relay",
    )
    assert read_nodeinfo_links(load("wellknown_2_0.json")) == (
        "https://mastodon.example/nodeinfo/2.0",
        None,
    )


def test_read_links_tolerates_odd_entries() -> None:
    document = {
        "links": [
            "junk",
            {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": "/relative"},
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/9.9",
                "href": "https://a.example/9",
            },
            {
                "rel": "https://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": "https://a.example/2",
            },
            {"rel": REL_APPLICATION_ACTOR, "href": 5},
        ]
    }
    assert read_nodeinfo_links(document) == ("https://a.example/2", None)
    assert read_nodeinfo_links({}) == (None, None)
    with pytest.raises(InvalidDocument):
        read_nodeinfo_links({"links": [{}] * 33})


async def test_discover_mastodon() -> None:
    get = FakeGetter(
        {
            "https://mastodon.example/.well-known/nodeinfo": load("wellknown_2_0.json"),
            "https://mastodon.example/nodeinfo/2.0": load("mastodon_2_0.json"),
        }
    )
    assert await discover_nodeinfo("mastodon.example", get) == NodeInfoSummary(
        url="https://mastodon.example/nodeinfo/2.0",
        software_name="mastodon",
        software_version="4.3.2",
    )


async def test_discover_mobilizon_with_application_actor() -> None:
    get = FakeGetter(
        {
            "https://mobilizon.example/.well-known/nodeinfo": load("wellknown_fep2677.json"),
            "https://mobilizon.example/.well-known/nodeinfo/2.1": load("mobilizon_2_1.json"),
        }
    )
    summary = await discover_nodeinfo("mobilizon.example", get)
    assert summary.software_name == "mobilizon"  # lower-cased
    assert summary.application_actor == "https://mobilizon.example/relay"


async def test_discover_development_peer_over_http() -> None:
    get = FakeGetter(
        {
            "http://localhost:8001/.well-known/nodeinfo": {
                "links": [
                    {
                        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                        "href": "http://localhost:8001/nodeinfo/2.1",
                    }
                ]
            },
            "http://localhost:8001/nodeinfo/2.1": {"software": {"name": "fedimob"}},
        }
    )
    summary = await discover_nodeinfo("localhost:8001", get, scheme="http")
    assert summary.software_name == "fedimob"
    assert summary.software_version is None


@pytest.mark.parametrize("host", ["", "a.example/path", "user@a.example", "a.example?x", "a b"])
async def test_discover_refuses_non_hosts(host: str) -> None:
    get = FakeGetter({})
    with pytest.raises(InvalidDocument):
        await discover_nodeinfo(host, get)
    assert get.calls == []


@pytest.mark.parametrize(
    "nodeinfo", [{}, {"software": "mastodon"}, {"software": {"name": ""}}, ["mastodon"]]
)
async def test_discover_refuses_unusable_documents(nodeinfo: Any) -> None:
    get = FakeGetter(
        {
            "https://mastodon.example/.well-known/nodeinfo": load("wellknown_2_0.json"),
            "https://mastodon.example/nodeinfo/2.0": nodeinfo,
        }
    )
    with pytest.raises(InvalidDocument):
        await discover_nodeinfo("mastodon.example", get)


async def test_discover_without_links_or_reachable_host() -> None:
    get = FakeGetter({"https://quiet.example/.well-known/nodeinfo": {"links": []}})
    with pytest.raises(InvalidDocument, match="no NodeInfo"):
        await discover_nodeinfo("quiet.example", get)
    with pytest.raises(HTTPStatusError):
        await discover_nodeinfo("gone.example", get)


@given(documents())
def test_arbitrary_links_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    try:
        url, actor = read_nodeinfo_links(doc)
    except InvalidDocument:
        return
    assert url is None or url.startswith("http")
    assert actor is None or actor.startswith("http")
