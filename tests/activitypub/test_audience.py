"""Audience: reading addressing in every shape, and expanding it to inboxes."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.audience import (
    AS_PUBLIC,
    Audience,
    DeliveryPlan,
    Inboxes,
    inboxes_from_actor,
    is_public,
    read_audience,
    resolve_inboxes,
    strip_hidden_recipients,
)
from activitypub.errors import FetchError, HTTPStatusError, InvalidDocument
from activitypub.vocab import require_ref
from tests.activitypub.json_strategies import documents

PEERS = Path(__file__).parent / "fixtures" / "peers"
F = "https://fedimob.example"


def load(name: str) -> dict[str, Any]:
    return json.loads((PEERS / name).read_text())  # type: ignore[no-any-return]


# --- reading ------------------------------------------------------------------


def test_to_as_a_string() -> None:
    audience = read_audience(load("mastodon/vote.json"))
    assert audience == Audience(to=(f"{F}/campaigns/river-cleanup",))
    assert not audience.is_public


def test_to_and_cc_as_strings_gotosocial() -> None:
    audience = read_audience(load("gotosocial/create_note.json"))
    assert audience.to == (AS_PUBLIC,)
    assert audience.cc == ("https://gts.example/users/fran/followers",)
    assert audience.is_public
    assert audience.recipients == ("https://gts.example/users/fran/followers",)


def test_cc_as_a_string_kroeg() -> None:
    assert read_audience(load("kroeg/announce_inline_actor.json")).cc == (
        "https://kroeg.example/followers",
    )


@pytest.mark.parametrize("spelling", [AS_PUBLIC, "as:Public", "Public"])
def test_three_spellings_of_public(spelling: str) -> None:
    assert is_public(spelling)
    audience = read_audience({"to": [spelling], "cc": spelling})
    assert audience.to == (AS_PUBLIC,)
    assert audience.is_public
    assert audience.recipients == ()


def test_not_public() -> None:
    for other in ("https://www.w3.org/ns/activitystreams#public", "public", None, 3):
        assert not is_public(other)


def test_recipients_are_deduplicated_in_order() -> None:
    audience = read_audience(
        {
            "to": ["https://a.example/u", AS_PUBLIC],
            "cc": ["https://b.example/u", "https://a.example/u"],
            "bcc": {"id": "https://c.example/u"},
        }
    )
    assert audience.recipients == (
        "https://a.example/u",
        "https://b.example/u",
        "https://c.example/u",
    )


def test_entries_that_name_nobody_are_dropped() -> None:
    audience = read_audience(
        {"to": ["", "/relative", 5, {"type": "Person"}, "https://a.example/u"]}
    )
    assert audience.to == ("https://a.example/u",)


def test_recipient_cap() -> None:
    many = [f"https://a.example/u/{i}" for i in range(600)]
    assert len(read_audience({"to": many}).to) == 600
    with pytest.raises(InvalidDocument, match="recipients"):
        read_audience({"to": many, "cc": many[:401]})
    with pytest.raises(InvalidDocument):
        read_audience({"to": many}, limit=10)
    with pytest.raises(InvalidDocument):
        read_audience({"to": [["https://a.example/u"]]})


@given(
    st.dictionaries(
        st.sampled_from(["to", "cc", "bto", "bcc"]),
        st.none()
        | st.text()
        | st.integers()
        | st.lists(st.text() | st.sampled_from([AS_PUBLIC, "as:Public", "https://a.example/u"])),
    )
)
def test_reading_arbitrary_addressing_raises_only_invalid_document(doc: dict[str, Any]) -> None:
    try:
        audience = read_audience(doc)
    except InvalidDocument:
        return
    assert AS_PUBLIC not in audience.recipients


# --- stripping bto/bcc --------------------------------------------------------


def test_strip_hidden_recipients_leaves_the_caller_alone() -> None:
    activity = {
        "type": "Create",
        "to": [AS_PUBLIC],
        "bto": ["https://a.example/secret"],
        "bcc": "https://b.example/secret",
        "object": {"type": "Note", "bcc": ["https://b.example/secret"], "tag": [{"name": "#x"}]},
    }
    before = copy.deepcopy(activity)
    sent = strip_hidden_recipients(activity)
    assert sent == {
        "type": "Create",
        "to": [AS_PUBLIC],
        "object": {"type": "Note", "tag": [{"name": "#x"}]},
    }
    assert activity == before
    sent["object"]["tag"].append("changed")
    assert activity == before


# --- actors' inboxes ----------------------------------------------------------


def test_inboxes_from_actors() -> None:
    assert inboxes_from_actor(load("mastodon/actor.json")) == Inboxes(
        "https://mastodon.example/users/alice",
        "https://mastodon.example/users/alice/inbox",
        "https://mastodon.example/inbox",
    )
    assert (
        inboxes_from_actor(load("lemmy/group.json")).shared_inbox == "https://lemmy.example/inbox"
    )
    kroeg = require_ref(load("kroeg/announce_inline_actor.json"), "actor").embedded
    assert kroeg is not None
    assert inboxes_from_actor(kroeg).shared_inbox is None


def test_inboxes_from_odd_actors() -> None:
    actor = load("mastodon/actor.json")
    assert inboxes_from_actor(actor | {"endpoints": {"sharedInbox": "nope"}}).shared_inbox is None
    assert inboxes_from_actor(actor | {"endpoints": "https://a.example/e"}).shared_inbox is None
    with pytest.raises(InvalidDocument):
        inboxes_from_actor({k: v for k, v in actor.items() if k != "inbox"})
    with pytest.raises(InvalidDocument):
        inboxes_from_actor(actor | {"inbox": "javascript:x"})


# --- delivery -----------------------------------------------------------------


ALICE = Inboxes(
    "https://mastodon.example/users/alice",
    "https://mastodon.example/users/alice/inbox",
    "https://mastodon.example/inbox",
)
BEA = Inboxes(
    "https://mastodon.example/users/bea",
    "https://mastodon.example/users/bea/inbox",
    "https://mastodon.example/inbox",
)
ERIN = Inboxes("https://friendica.example/profile/erin", "https://friendica.example/inbox/erin")
BOB = Inboxes(
    "https://mobilizon.example/@bob",
    "https://mobilizon.example/@bob/inbox",
    "https://mobilizon.example/inbox",
)
FOLLOWERS = f"{F}/campaigns/river/followers"


class FakeResolver:
    def __init__(self) -> None:
        self.collections: dict[str, Sequence[Inboxes]] = {FOLLOWERS: [ALICE, BEA, ERIN]}
        self.actors = {a.actor_id: a for a in (ALICE, BEA, ERIN, BOB)}
        self.asked: list[str] = []

    async def expand_collection(self, iri: str) -> Sequence[Inboxes] | None:
        return self.collections.get(iri)

    async def resolve_actor(self, iri: str) -> Inboxes:
        self.asked.append(iri)
        if iri == "https://down.example/u":
            raise FetchError("connect timeout")
        if iri not in self.actors:
            raise HTTPStatusError(410, iri)
        return self.actors[iri]


async def test_followers_and_actors_become_shared_inboxes() -> None:
    activity = {"to": [AS_PUBLIC], "cc": [FOLLOWERS, BOB.actor_id, ALICE.actor_id]}
    plan = await resolve_inboxes(activity, FakeResolver())
    assert plan == DeliveryPlan(
        inboxes=(
            "https://mastodon.example/inbox",
            "https://friendica.example/inbox/erin",
            "https://mobilizon.example/inbox",
        )
    )


async def test_personal_inboxes_when_asked() -> None:
    plan = await resolve_inboxes({"to": FOLLOWERS}, FakeResolver(), prefer_shared_inbox=False)
    assert plan.inboxes == (ALICE.inbox, BEA.inbox, ERIN.inbox)


async def test_excluded_actors_and_public_are_skipped() -> None:
    resolver = FakeResolver()
    activity = {"to": ["as:Public", FOLLOWERS], "cc": [BOB.actor_id]}
    plan = await resolve_inboxes(activity, resolver, exclude={BOB.actor_id, ALICE.actor_id})
    assert plan.inboxes == ("https://mastodon.example/inbox", ERIN.inbox)  # bea still there
    assert resolver.asked == []


async def test_blind_recipients_are_delivered_to() -> None:
    plan = await resolve_inboxes({"bto": BOB.actor_id, "bcc": [ERIN.actor_id]}, FakeResolver())
    assert plan.inboxes == ("https://mobilizon.example/inbox", ERIN.inbox)


async def test_unreachable_addressees_do_not_stop_the_rest() -> None:
    activity = {"to": ["https://down.example/u", "https://gone.example/u", BOB.actor_id]}
    plan = await resolve_inboxes(activity, FakeResolver())
    assert plan.inboxes == ("https://mobilizon.example/inbox",)
    assert plan.unresolved == ("https://down.example/u", "https://gone.example/u")


async def test_invalid_activity_is_refused() -> None:
    with pytest.raises(InvalidDocument):
        await resolve_inboxes({"to": [[BOB.actor_id]]}, FakeResolver())
    with pytest.raises(InvalidDocument):
        await resolve_inboxes(["to"], FakeResolver())  # type: ignore[arg-type]


@given(documents())
def test_arbitrary_actors_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    with contextlib.suppress(InvalidDocument):
        inboxes_from_actor(doc)
    with contextlib.suppress(InvalidDocument):
        read_audience(doc)
    sent = strip_hidden_recipients(doc)
    assert "bto" not in sent
    assert "bcc" not in sent
