"""WebFinger: handles, JRDs (ours and peers'), lookups, remote-interaction URLs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.errors import FetchError, HTTPStatusError, InvalidDocument, WebFingerError
from activitypub.webfinger import (
    REL_SUBSCRIBE,
    Handle,
    WebFingerResult,
    build_host_meta,
    build_jrd,
    interaction_url,
    parse_handle,
    read_jrd,
    resolve_handle,
)
from tests.activitypub.json_strategies import documents

FIXTURES = Path(__file__).parent / "fixtures" / "webfinger"


def jrd(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())  # type: ignore[no-any-return]


class FakeGetter:
    """Serves JSON by URL, records what was asked, raises for unknown URLs."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, url: str, /, *, accept: str) -> Any:
        self.calls.append((url, accept))
        if url not in self.documents:
            raise HTTPStatusError(404, url)
        document = self.documents[url]
        if isinstance(document, Exception):
            raise document
        return document


def wf(host: str, user: str) -> str:
    return f"https://{host}/.well-known/webfinger?resource=acct%3A{user}%40{host}"


# --- handles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("@alice@mastodon.example", Handle("alice", "mastodon.example")),
        ("alice@mastodon.example", Handle("alice", "mastodon.example")),
        ("acct:alice@mastodon.example", Handle("alice", "mastodon.example")),
        ("ACCT:alice@Mastodon.Example", Handle("alice", "mastodon.example")),
        ("  @alice@mastodon.example\n", Handle("alice", "mastodon.example")),
        ("@Alice_1.x-y@mastodon.example", Handle("Alice_1.x-y", "mastodon.example")),
        ("@dev@localhost:8001", Handle("dev", "localhost:8001")),
        ("@dev@127.0.0.1:8001", Handle("dev", "127.0.0.1:8001")),
        ("@dev@[::1]:8001", Handle("dev", "[::1]:8001")),
        ("@bob@bücher.example", Handle("bob", "xn--bcher-kva.example")),
    ],
)
def test_parse_handle(text: str, handle: Handle) -> None:
    assert parse_handle(text) == handle


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alice",
        "@alice",
        "alice@",
        "@@mastodon.example",
        "a@b@mastodon.example",
        "alice@mastodon.example/path",
        "alice@mastodon.example:0",
        "alice@mastodon.example:70000",
        "alice@mastodon.example:",
        "ali ce@mastodon.example",
        "alice@mastodon .example",
        "alice\x00@mastodon.example",
        "alice@mastodon.example\u202e",
        "alice@mastodon.example?x=1",
        "https://mastodon.example/@alice",
        "alice%40x@mastodon.example",
    ],
)
def test_parse_handle_refuses(text: str) -> None:
    with pytest.raises(WebFingerError):
        parse_handle(text)


def test_handle_forms() -> None:
    handle = Handle("alice", "mastodon.example")
    assert handle.acct == "acct:alice@mastodon.example"
    assert str(handle) == "@alice@mastodon.example"
    assert handle.webfinger_url() == wf("mastodon.example", "alice")
    dev = parse_handle("@dev@localhost:8001")
    assert dev.webfinger_url(scheme="http") == (
        "http://localhost:8001/.well-known/webfinger?resource=acct%3Adev%40localhost%3A8001"
    )


@given(st.text(max_size=80))
def test_parse_handle_raises_only_webfinger_error(text: str) -> None:
    try:
        handle = parse_handle(text)
    except WebFingerError:
        return
    assert parse_handle(str(handle)) == handle
    assert parse_handle(handle.acct) == handle


@given(
    st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,20}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9](\.[a-z]{2,6}){1,2}", fullmatch=True),
    st.none() | st.integers(1, 65535),
)
def test_handles_round_trip(user: str, host: str, port: int | None) -> None:
    host_port = host if port is None else f"{host}:{port}"
    handle = parse_handle(f"@{user}@{host_port.upper()}")
    assert handle == Handle(user, host_port)
    query = parse_qs(urlsplit(handle.webfinger_url()).query)
    assert query == {"resource": [f"acct:{user}@{host_port}"]}


# --- serving ------------------------------------------------------------------


def test_build_jrd_reads_back() -> None:
    document = build_jrd(
        Handle("river", "fedimob.example"),
        "https://fedimob.example/campaigns/river",
        profile_url="https://fedimob.example/c/river",
        subscribe_template="https://fedimob.example/interact?uri={uri}",
    )
    assert document["subject"] == "acct:river@fedimob.example"
    assert document["aliases"] == [
        "https://fedimob.example/c/river",
        "https://fedimob.example/campaigns/river",
    ]
    assert {
        "rel": "self",
        "type": "application/activity+json",
        "href": "https://fedimob.example/campaigns/river",
    } in document["links"]
    assert read_jrd(json.loads(json.dumps(document))) == WebFingerResult(
        actor_id="https://fedimob.example/campaigns/river",
        subject="acct:river@fedimob.example",
        subscribe_template="https://fedimob.example/interact?uri={uri}",
        profile_url="https://fedimob.example/c/river",
        aliases=("https://fedimob.example/c/river", "https://fedimob.example/campaigns/river"),
    )
    minimal = build_jrd(Handle("a", "fedimob.example"), "https://fedimob.example/a")
    assert [link["rel"] for link in minimal["links"]] == ["self"]
    with pytest.raises(ValueError, match="uri"):
        build_jrd(Handle("a", "f.example"), "https://f.example/a", subscribe_template="https://x")


def test_host_meta_points_at_webfinger() -> None:
    xml = build_host_meta("https://fedimob.example/")
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    [link] = list(root)
    assert link.tag == "{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link"
    assert link.attrib["rel"] == "lrdd"
    assert link.attrib["template"] == (
        "https://fedimob.example/.well-known/webfinger?resource={uri}"
    )
    odd = ET.fromstring(build_host_meta('https://a.example/"&<'))  # noqa: S314
    assert next(iter(odd)).attrib["template"].startswith('https://a.example/"&<')


# --- reading peers' JRDs ------------------------------------------------------


def test_mastodon_jrd() -> None:
    result = read_jrd(jrd("mastodon.json"))
    assert result.actor_id == "https://mastodon.example/users/alice"
    assert result.subscribe_template == "https://mastodon.example/authorize_interaction?uri={uri}"
    assert result.profile_url == "https://mastodon.example/@alice"


def test_pleroma_jrd_prefers_activity_json_self_link() -> None:
    result = read_jrd(jrd("pleroma.json"))
    assert result.actor_id == "https://pleroma.example/users/ivy"
    assert result.subscribe_template == "https://pleroma.example/ostatus_subscribe?acct={uri}"


def test_friendica_jrd_among_many_links() -> None:
    result = read_jrd(jrd("friendica.json"))
    assert result.actor_id == "https://friendica.example/profile/erin"
    assert result.subscribe_template == "https://friendica.example/follow?url={uri}"


def test_gancio_jrd_without_template() -> None:
    result = read_jrd(jrd("gancio.json"))
    assert result.actor_id == "https://gancio.example/federation/u/events"
    assert result.subscribe_template is None
    assert result.aliases == ()


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"links": []},
        {"links": [{"rel": "self", "type": "text/html", "href": "https://a.example/u"}]},
        {"links": [{"rel": "self", "type": "application/activity+json", "href": "/u"}]},
        {"links": "self"},
        [],
    ],
)
def test_jrd_without_actor_is_invalid(document: Any) -> None:
    with pytest.raises(InvalidDocument):
        read_jrd(document)


def test_unusable_templates_are_ignored() -> None:
    document = jrd("gancio.json")
    for template in ("javascript:alert('{uri}')", "https://a.example/follow", 5):
        document["links"].append({"rel": REL_SUBSCRIBE, "template": template})
        assert read_jrd(document).subscribe_template is None
        document["links"].pop()


# --- lookups ------------------------------------------------------------------


async def test_resolve_handle() -> None:
    get = FakeGetter({wf("mastodon.example", "alice"): jrd("mastodon.json")})
    result = await resolve_handle("@alice@mastodon.example", get)
    assert result.actor_id == "https://mastodon.example/users/alice"
    assert result.subscribe_template == "https://mastodon.example/authorize_interaction?uri={uri}"
    [(url, accept)] = get.calls
    assert url == wf("mastodon.example", "alice")
    assert "application/jrd+json" in accept


async def test_delegated_domain_must_confirm() -> None:
    delegated = jrd("mastodon.json")
    get = FakeGetter(
        {wf("alice.example", "alice"): delegated, wf("mastodon.example", "alice"): delegated}
    )
    result = await resolve_handle("alice@alice.example", get)
    assert result.actor_id == "https://mastodon.example/users/alice"
    assert [url for url, _ in get.calls] == [
        wf("alice.example", "alice"),
        wf("mastodon.example", "alice"),
    ]


async def test_a_host_cannot_claim_someone_elses_account() -> None:
    liar = jrd("mastodon.json")
    liar["links"][1]["href"] = "https://evil.example/users/alice"
    get = FakeGetter(
        {wf("evil.example", "alice"): liar, wf("mastodon.example", "alice"): jrd("mastodon.json")}
    )
    with pytest.raises(WebFingerError, match="does not confirm"):
        await resolve_handle("alice@evil.example", get)


async def test_lookup_failures_are_webfinger_errors() -> None:
    get = FakeGetter({wf("pleroma.example", "ivy"): {"links": []}})
    with pytest.raises(WebFingerError) as missing:
        await resolve_handle("@nobody@mastodon.example", get)
    assert isinstance(missing.value.__cause__, HTTPStatusError)
    with pytest.raises(WebFingerError) as bad:
        await resolve_handle("@ivy@pleroma.example", get)
    assert isinstance(bad.value.__cause__, InvalidDocument)
    timeout = FakeGetter({wf("slow.example", "a"): FetchError("deadline")})
    with pytest.raises(WebFingerError):
        await resolve_handle(Handle("a", "slow.example"), timeout)
    with pytest.raises(WebFingerError):
        await resolve_handle("not a handle", get)


async def test_non_acct_subject_is_accepted_as_is() -> None:
    document = jrd("gancio.json") | {"subject": "https://gancio.example/federation/u/events"}
    get = FakeGetter({wf("gancio.example", "events"): document})
    result = await resolve_handle("events@gancio.example", get)
    assert result.actor_id == "https://gancio.example/federation/u/events"
    assert len(get.calls) == 1


# --- remote interaction -------------------------------------------------------


def test_interaction_url_quotes_the_object() -> None:
    url = interaction_url(
        "https://mastodon.example/authorize_interaction?uri={uri}",
        "https://fedimob.example/campaigns/river?x=1&y=2#poll",
    )
    assert url == (
        "https://mastodon.example/authorize_interaction?uri="
        "https%3A%2F%2Ffedimob.example%2Fcampaigns%2Friver%3Fx%3D1%26y%3D2%23poll"
    )
    assert parse_qs(urlsplit(url).query)["uri"] == [
        "https://fedimob.example/campaigns/river?x=1&y=2#poll"
    ]
    assert (
        interaction_url("https://friendica.example/follow?url={uri}", "https://fedimob.example/c/r")
        == "https://friendica.example/follow?url=https%3A%2F%2Ffedimob.example%2Fc%2Fr"
    )


@pytest.mark.parametrize(
    ("template", "object_url"),
    [
        ("javascript:alert('{uri}')", "https://fedimob.example/c/r"),
        ("https://mastodon.example/authorize_interaction", "https://fedimob.example/c/r"),
        ("https://mastodon.example/authorize_interaction?uri={uri}", "javascript:alert(1)"),
        ("https://mastodon.example/a?uri={uri}", "https://fedimob.example/c/r\r\nX: y"),
    ],
)
def test_interaction_url_refuses(template: str, object_url: str) -> None:
    with pytest.raises(InvalidDocument):
        interaction_url(template, object_url)


@given(documents())
def test_arbitrary_jrds_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    try:
        result = read_jrd(doc)
    except InvalidDocument:
        return
    assert result.actor_id.startswith("http")
