"""Tolerant readers: every peer's shapes read the same, anything else is InvalidDocument."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activitypub.errors import InvalidDocument
from activitypub.vocab import (
    MAX_JSON_DEPTH,
    MAX_TAGS,
    Ref,
    find_public_key,
    has_type,
    loads_json,
    loads_object,
    read_attachments,
    read_count,
    read_datetime,
    read_id,
    read_public_keys,
    read_ref,
    read_refs,
    read_string,
    read_tags,
    read_types,
    require_ref,
)

PEERS = Path(__file__).parent / "fixtures" / "peers"


def load(name: str) -> dict[str, Any]:
    return json.loads((PEERS / name).read_text())  # type: ignore[no-any-return]


# --- loads_json ---------------------------------------------------------------


def test_loads_json_reads_bytes_and_text() -> None:
    assert loads_json(b'{"type": "Follow"}') == {"type": "Follow"}
    assert loads_json('["a", 1]') == ["a", 1]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"1e400",
        b'"\\ud800"',
        b"\xff\xfe",
        b"[" * 2000 + b"]" * 2000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    ],
)
def test_loads_json_turns_every_failure_into_invalid_document(body: bytes) -> None:
    with pytest.raises(InvalidDocument):
        loads_json(body)


def test_loads_json_depth_is_configurable() -> None:
    nested = b'{"a": {"b": {"c": 1}}}'
    assert loads_json(nested, max_depth=3) == {"a": {"b": {"c": 1}}}
    with pytest.raises(InvalidDocument, match="deeper than 2"):
        loads_json(nested, max_depth=2)


def test_loads_object_requires_an_object() -> None:
    assert loads_object(b'{"id": "x"}') == {"id": "x"}
    with pytest.raises(InvalidDocument):
        loads_object(b"[]")


# --- references ---------------------------------------------------------------


def test_actor_as_string() -> None:
    follow = load("mastodon/follow.json")
    assert require_ref(follow, "actor") == Ref("https://mastodon.example/users/alice")
    assert require_ref(follow, "object").embedded is None


def test_actor_as_object_with_only_an_id() -> None:
    ref = require_ref(load("hubzilla/follow.json"), "actor")
    assert ref.id == "https://hubzilla.example/channel/carol"
    assert ref.embedded == {"id": "https://hubzilla.example/channel/carol"}


def test_actor_as_full_embedded_object() -> None:
    ref = require_ref(load("osada/follow.json"), "actor")
    assert ref.id == "https://osada.example/channel/dan"
    assert ref.embedded is not None
    assert ref.embedded["inbox"] == "https://osada.example/inbox/dan"


def test_object_embedded_and_in_reply_to() -> None:
    vote = load("mastodon/vote.json")
    note = require_ref(vote, "object").embedded
    assert note is not None
    assert (
        require_ref(note, "inReplyTo").id == "https://fedimob.example/campaigns/river-cleanup/poll"
    )
    assert require_ref(note, "attributedTo").id == "https://mastodon.example/users/alice"


def test_null_in_reply_to_reads_as_absent() -> None:
    question = require_ref(load("mastodon/question.json"), "object").embedded
    assert question is not None
    assert read_ref(question, "inReplyTo") is None
    assert read_ref({}, "actor") is None
    with pytest.raises(InvalidDocument, match="actor is missing"):
        require_ref({}, "actor")


def test_lists_of_references() -> None:
    doc = {"attributedTo": [{"id": "https://a.example/p", "type": "Person"}, "https://a.example/g"]}
    assert [ref.id for ref in read_refs(doc, "attributedTo")] == [
        "https://a.example/p",
        "https://a.example/g",
    ]
    with pytest.raises(InvalidDocument, match="several"):
        read_ref(doc, "attributedTo")
    # A list that repeats one id is not ambiguous; the embedded copy is kept.
    same: dict[str, Any] = {
        "actor": ["https://a.example/p", {"id": "https://a.example/p", "type": "Person"}]
    }
    assert read_ref(same, "actor") == Ref("https://a.example/p", same["actor"][1])


def test_link_objects_point_at_their_href() -> None:
    doc = {"inReplyTo": {"type": "Link", "href": "https://a.example/notes/1"}}
    assert read_ref(doc, "inReplyTo") == Ref("https://a.example/notes/1")


@pytest.mark.parametrize(
    "value",
    [
        42,
        True,
        "not a url",
        "javascript:alert(1)",
        {"type": "Person"},
        {"id": 42},
        [["https://a.example/p"]],
        ["https://a.example/p"] * 101,
    ],
)
def test_bad_references_are_invalid(value: object) -> None:
    with pytest.raises(InvalidDocument):
        read_refs({"actor": value}, "actor")


def test_document_must_be_an_object() -> None:
    with pytest.raises(InvalidDocument):
        read_refs(["actor"], "actor")  # type: ignore[arg-type]
    with pytest.raises(InvalidDocument):
        read_id({"id": "/relative"})
    assert read_id(load("mastodon/actor.json")) == "https://mastodon.example/users/alice"


# --- types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "types"),
    [
        ("Note", ("Note",)),
        (["Person", "Service"], ("Person", "Service")),
        ("as:Note", ("Note",)),
        ("https://www.w3.org/ns/activitystreams#Note", ("Note",)),
        ("fedimob:PledgeOption", ("fedimob:PledgeOption",)),
        (None, ()),
    ],
)
def test_type_as_string_or_list(value: object, types: tuple[str, ...]) -> None:
    assert read_types({"type": value}) == types


def test_has_type() -> None:
    assert has_type(load("mobilizon/join.json"), "Join", "Leave")
    assert not has_type(load("mobilizon/join.json"), "Follow")
    with pytest.raises(InvalidDocument):
        read_types({"type": 3})
    with pytest.raises(InvalidDocument):
        read_types({"type": ""})


# --- keys ---------------------------------------------------------------------


def test_public_key_as_object() -> None:
    actor = load("mastodon/actor.json")
    [key] = read_public_keys(actor)
    assert key.id == "https://mastodon.example/users/alice#main-key"
    assert key.owner == "https://mastodon.example/users/alice"
    assert key.pem is not None
    assert key.pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert find_public_key(actor, key.id) == key
    assert find_public_key(actor, "https://mastodon.example/users/alice#other") is None


def test_public_key_as_list_and_multikey() -> None:
    actor = load("mitra/person.json")
    keys = read_public_keys(actor)
    assert [k.id for k in keys] == [
        "https://mitra.example/users/hana#main-key",
        "https://mitra.example/users/hana#ed25519-key",
    ]
    assert keys[1].multibase is not None
    assert keys[1].pem is None
    assert keys[1].owner == "https://mitra.example/users/hana"


def test_key_id_equal_to_actor_id() -> None:
    # Osada/Hubzilla use the actor's own id as the key id.
    actor = require_ref(load("osada/follow.json"), "actor").embedded
    assert actor is not None
    assert find_public_key(actor, "https://osada.example/channel/dan") is not None


def test_unusable_keys_are_skipped_and_lists_capped() -> None:
    actor = {
        "id": "https://a.example/u",
        "publicKey": [
            "https://a.example/u#k",
            {"id": "https://a.example/u#nokey"},
            {"id": "nope", "publicKeyPem": "x"},
            {"id": "https://a.example/u#k2", "owner": 5, "publicKeyPem": "x"},
            {"id": "https://a.example/u#k3", "publicKeyPem": "PEM"},
        ],
    }
    [key] = read_public_keys(actor)
    assert key.id == "https://a.example/u#k3"
    assert key.owner == "https://a.example/u"  # defaults to the actor
    with pytest.raises(InvalidDocument):
        read_public_keys({"publicKey": [{}] * 17})


# --- scalars and lists --------------------------------------------------------


def test_mobilizon_counts() -> None:
    event = load("mobilizon/event.json")
    assert read_count(event, "participantCount") == 12
    assert read_count(event, "remainingAttendeeCapacity") == 28
    assert read_count(event, "missing") is None
    for bad in (True, -1, 1.5, "12"):
        with pytest.raises(InvalidDocument):
            read_count({"n": bad}, "n")


def test_strings_are_capped() -> None:
    assert read_string(load("mobilizon/join.json"), "participationMessage") == "I'll bring gloves"
    with pytest.raises(InvalidDocument):
        read_string({"name": "x" * 11}, "name", limit=10)
    with pytest.raises(InvalidDocument):
        read_string({"name": ["x"]}, "name")


def test_datetimes() -> None:
    event = load("mobilizon/event.json")
    assert read_datetime(event, "startTime") == datetime(2026, 4, 11, 7, 0, tzinfo=UTC)
    assert read_datetime({"closed": "2019-09-19T00:32:36.785333"}, "closed") == datetime(
        2019, 9, 19, 0, 32, 36, 785333, tzinfo=UTC
    )
    assert read_datetime({"endTime": None}, "endTime") is None
    with pytest.raises(InvalidDocument):
        read_datetime({"endTime": "tomorrow"}, "endTime")


def test_tags_and_attachments() -> None:
    note = require_ref(load("mastodon/create_note_contentmap.json"), "object").embedded
    assert note is not None
    assert [t["type"] for t in read_tags(note)] == ["Mention"]
    assert read_tags({"tag": ["#bare", {"type": "Hashtag", "name": "#x"}]}) == [
        {"type": "Hashtag", "name": "#x"}
    ]
    assert read_attachments(load("friendica/person.json"))[0]["type"] == "PropertyValue"
    with pytest.raises(InvalidDocument):
        read_tags({"tag": [{}] * (MAX_TAGS + 1)})


# --- properties ---------------------------------------------------------------

FIELDS = [
    "id",
    "type",
    "actor",
    "object",
    "attributedTo",
    "inReplyTo",
    "publicKey",
    "assertionMethod",
    "tag",
    "attachment",
    "participantCount",
    "startTime",
    "name",
]
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
urls = st.sampled_from(
    ["https://a.example/u", "https://a.example/u#main-key", "as:Public", "Note", "http://b.example"]
)
json_values = st.recursive(
    scalars | urls,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=20,
)
documents = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8)


@settings(max_examples=300)
@given(documents)
def test_readers_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    readers: list[Callable[[], object]] = [
        lambda: read_refs(doc, "actor"),
        lambda: read_ref(doc, "object"),
        lambda: read_ref(doc, "attributedTo"),
        lambda: read_types(doc),
        lambda: read_public_keys(doc),
        lambda: read_tags(doc),
        lambda: read_attachments(doc),
        lambda: read_count(doc, "participantCount"),
        lambda: read_datetime(doc, "startTime"),
        lambda: read_string(doc, "name"),
        lambda: read_id(doc),
    ]
    for reader in readers:
        with contextlib.suppress(InvalidDocument):
            reader()


@given(json_values)
def test_readers_refuse_non_objects(value: object) -> None:
    if isinstance(value, dict):
        return
    with pytest.raises(InvalidDocument):
        read_types(value)  # type: ignore[arg-type]


plain_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(plain_json)
def test_loads_json_reads_what_the_standard_library_reads(value: object) -> None:
    text = json.dumps(value)
    assert loads_json(text) == json.loads(text)


# --- every peer fixture -------------------------------------------------------

ALL_PEER_FIXTURES = sorted(p.relative_to(PEERS).as_posix() for p in PEERS.rglob("*.json"))


@pytest.mark.parametrize("name", ALL_PEER_FIXTURES)
def test_every_peer_fixture_reads(name: str) -> None:
    doc = load(name)
    assert read_id(doc).startswith("https://")
    assert read_types(doc)
    for field in ("actor", "object", "attributedTo", "inReplyTo"):
        for ref in read_refs(doc, field):
            if ref.embedded is not None:
                read_types(ref.embedded)
                read_public_keys(ref.embedded)
    if "inbox" in doc:
        assert read_public_keys(doc), "every actor fixture publishes a key"


def test_gotosocial_key_id_is_a_path_not_a_fragment() -> None:
    actor = load("gotosocial/person.json")
    key = find_public_key(actor, "https://gts.example/users/fran/main-key")
    assert key is not None
    assert key.owner == read_id(actor)
