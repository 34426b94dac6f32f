"""Pinned contexts, fedimob's own @context, and reading peers' @context without fetching."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given

from activitypub.contexts import (
    AS2_CONTEXT,
    AS2_NS,
    FEDIMOB_CONTEXT,
    FEDIMOB_NS,
    FEDIMOB_TERMS,
    MOBILIZON_NS,
    PINNED_CONTEXTS,
    SCHEMA_NS,
    SECURITY_V1_CONTEXT,
    TOOT_NS,
    ContextInfo,
    expand_term,
    fedimob_context,
    load_pinned_context,
    read_context,
)
from activitypub.errors import InvalidDocument
from tests.activitypub.json_strategies import documents

PEERS = Path(__file__).parent / "fixtures" / "peers"


def load(name: str) -> dict[str, Any]:
    return json.loads((PEERS / name).read_text())  # type: ignore[no-any-return]


def test_fedimob_context_is_as2_security_and_one_map() -> None:
    context = fedimob_context()
    assert context[:2] == [AS2_CONTEXT, SECURITY_V1_CONTEXT]
    assert isinstance(context[2], dict)
    assert context[2]["fedimob"] == "https://fedimob.org/ns#"
    # It serialises as-is into an outgoing document.
    assert orjson.loads(orjson.dumps({"@context": context}))["@context"] == context


def test_fedimob_context_copies_are_independent() -> None:
    context = fedimob_context()
    context[2]["goalKind"] = "tampered"
    context.append("https://evil.example/ctx")
    assert fedimob_context()[2]["goalKind"] == "fedimob:goalKind"
    assert len(FEDIMOB_CONTEXT) == 3


@pytest.mark.parametrize(
    "term",
    [
        "goalKind",
        "goalTarget",
        "deadline",
        "pledgedMinutes",
        "impactUnit",
        "impactTotal",
        "instanceBreakdown",
        "InstanceCount",
        "instance",
        "pledgeOptions",
        "PledgeOption",
        "minutes",
    ],
)
def test_every_extension_term_is_in_the_fedimob_namespace(term: str) -> None:
    info = read_context({"@context": fedimob_context()})
    assert expand_term(term, info) == FEDIMOB_NS + term


@pytest.mark.parametrize(
    ("term", "iri"),
    [
        ("participantCount", MOBILIZON_NS + "participantCount"),
        ("joinMode", MOBILIZON_NS + "joinMode"),
        ("anonymousParticipationEnabled", MOBILIZON_NS + "anonymousParticipationEnabled"),
        ("isOnline", MOBILIZON_NS + "isOnline"),
        ("participationMessage", MOBILIZON_NS + "participationMessage"),
        ("maximumAttendeeCapacity", SCHEMA_NS + "maximumAttendeeCapacity"),
        ("remainingAttendeeCapacity", SCHEMA_NS + "remainingAttendeeCapacity"),
        ("PropertyValue", SCHEMA_NS + "PropertyValue"),
        ("votersCount", TOOT_NS + "votersCount"),
        ("actor", AS2_NS + "actor"),
        ("inbox", "http://www.w3.org/ns/ldp#inbox"),
        ("publicKeyPem", "https://w3id.org/security#publicKeyPem"),
    ],
)
def test_third_party_terms_mean_what_their_owners_say(term: str, iri: str) -> None:
    assert expand_term(term, read_context({"@context": fedimob_context()})) == iri


def test_our_mobilizon_terms_agree_with_mobilizon_itself() -> None:
    # The same compact term must expand to the same IRI under Mobilizon's
    # context and ours, or a JSON-LD reader would see two different properties.
    theirs = read_context(load("mobilizon/event.json"))
    ours = read_context({"@context": fedimob_context()})
    shared = [t for t in theirs.terms if t in FEDIMOB_TERMS and not t.startswith("@")]
    assert {"participantCount", "joinMode", "maximumAttendeeCapacity"} <= set(shared)
    for term in shared:
        assert expand_term(term, ours) == expand_term(term, theirs), term


@pytest.mark.parametrize(
    ("context", "urls"),
    [
        (AS2_CONTEXT, (AS2_CONTEXT,)),
        ([AS2_CONTEXT, SECURITY_V1_CONTEXT], (AS2_CONTEXT, SECURITY_V1_CONTEXT)),
        ({"toot": "http://joinmastodon.org/ns#"}, ()),
        (None, ()),
    ],
)
def test_context_in_all_forms(context: object, urls: tuple[str, ...]) -> None:
    assert read_context({"@context": context}).urls == urls


def test_context_absent_as_in_lemmy() -> None:
    assert read_context(load("lemmy/group.json")) == ContextInfo()


def test_inline_maps_merge_and_language_is_lifted() -> None:
    info = read_context(load("bogus/spoofed_object.json"))
    assert info.language == "und"
    assert "@language" not in info.terms
    assert info.unknown_urls == ("https://litepub.example/schemas/litepub-0.1.jsonld",)
    later_wins = read_context({"@context": [{"a": "x:1"}, {"a": "x:2"}]})
    assert later_wins.terms["a"] == "x:2"


@pytest.mark.parametrize(
    "context",
    [
        42,
        [AS2_CONTEXT, 42],
        [[AS2_CONTEXT]],
        [""],
        ["x"] * 33,
        [{f"t{i}": "x" for i in range(1001)}],
    ],
)
def test_unusable_contexts_are_invalid(context: object) -> None:
    with pytest.raises(InvalidDocument):
        read_context({"@context": context})


def test_undefined_terms_and_prefix_loops_expand_to_nothing() -> None:
    loop = read_context({"@context": {"a": "b:x", "b": "a:y"}})
    assert expand_term("a", loop) is None
    assert expand_term("_misskey_reaction", read_context(load("misskey/like.json"))) is None
    assert expand_term("Hashtag", read_context(load("misskey/like.json"))) == AS2_NS + "Hashtag"


def test_pinned_contexts_never_fetch() -> None:
    as2 = load_pinned_context(AS2_CONTEXT)["@context"]
    assert as2["actor"] == {"@id": "as:actor", "@type": "@id"}
    assert as2["contentMap"] == {"@id": "as:content", "@container": "@language"}
    assert as2["orderedItems"]["@container"] == "@list"
    assert as2["published"]["@type"] == "xsd:dateTime"
    assert set(PINNED_CONTEXTS) == {AS2_CONTEXT, SECURITY_V1_CONTEXT}
    with pytest.raises(InvalidDocument):
        load_pinned_context("https://litepub.social/litepub/context.jsonld")


@given(documents())
def test_arbitrary_contexts_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    try:
        info = read_context(doc)
    except InvalidDocument:
        return
    for term in ("participantCount", "actor", "id", *info.terms):
        iri = expand_term(term, info)
        assert iri is None or "://" in iri
