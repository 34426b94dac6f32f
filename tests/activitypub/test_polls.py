"""Polls: the campaign's join poll, and votes as Mastodon and Misskey send them."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from activitypub.errors import InvalidDocument
from activitypub.polls import MAX_POLL_OPTIONS, PollOption, Vote, read_poll, read_vote
from activitypub.vocab import require_ref
from tests.activitypub.json_strategies import documents

PEERS = Path(__file__).parent / "fixtures" / "peers"


def load(name: str) -> dict[str, Any]:
    return json.loads((PEERS / name).read_text())  # type: ignore[no-any-return]


def mastodon_question() -> dict[str, Any]:
    question = require_ref(load("mastodon/question.json"), "object").embedded
    assert question is not None
    return dict(question)


def test_mastodon_single_choice_poll() -> None:
    poll = read_poll(mastodon_question())
    assert poll.id == "https://mastodon.example/users/alice/statuses/1001"
    assert poll.options == (PollOption("Me", 2), PollOption("Not me", 1))
    assert not poll.multiple
    assert poll.voters_count == 3
    assert poll.end_time == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert not poll.closed


def test_misskey_multiple_choice_poll_without_end() -> None:
    poll = read_poll(load("misskey/question.json"))
    assert poll.multiple
    assert [o.name for o in poll.options] == ["Morning", "Afternoon"]
    assert poll.end_time is None


@pytest.mark.parametrize("closed", [True, "2026-03-02T09:00:00Z", "2019-09-19T00:32:36.785333"])
def test_closed_as_boolean_or_date(closed: object) -> None:
    question = mastodon_question() | {"closed": closed}
    assert read_poll(question).closed


@pytest.mark.parametrize(
    "change",
    [
        {"type": "Note"},
        {"oneOf": []},
        {"oneOf": ["Me"]},
        {"oneOf": [{"type": "Note"}]},
        {"oneOf": [{"type": "Note", "name": f"o{i}"} for i in range(MAX_POLL_OPTIONS + 1)]},
        {"oneOf": [{"type": "Note", "name": "x", "replies": {"totalItems": -1}}]},
        {"closed": "soon"},
    ],
)
def test_unusable_polls_are_invalid(change: dict[str, Any]) -> None:
    with pytest.raises(InvalidDocument):
        read_poll(mastodon_question() | change)


def test_mastodon_vote() -> None:
    assert read_vote(load("mastodon/vote.json")) == Vote(
        id="https://mastodon.example/users/alice#votes/42",
        voter="https://mastodon.example/users/alice",
        poll_id="https://fedimob.example/campaigns/river-cleanup/poll",
        choice="I'm in: 3 hours",
    )


def test_replies_and_other_activities_are_not_votes() -> None:
    assert read_vote(load("mastodon/create_note_contentmap.json")) is None
    assert read_vote(load("mastodon/question.json")) is None
    assert read_vote(load("mobilizon/join.json")) is None
    vote = load("mastodon/vote.json")
    by_reference = vote | {"object": vote["object"]["id"]}
    assert read_vote(by_reference) is None


def test_vote_attributed_to_someone_else_is_refused() -> None:
    vote = copy.deepcopy(load("mastodon/vote.json"))
    vote["object"]["attributedTo"] = "https://mastodon.example/users/mallory"
    with pytest.raises(InvalidDocument):
        read_vote(vote)


def test_vote_with_empty_name_is_refused() -> None:
    vote = copy.deepcopy(load("mastodon/vote.json"))
    vote["object"]["name"] = ""
    with pytest.raises(InvalidDocument):
        read_vote(vote)


@given(documents())
def test_arbitrary_documents_raise_only_invalid_document(doc: dict[str, Any]) -> None:
    for reader in (read_poll, read_vote):
        with contextlib.suppress(InvalidDocument):
            reader(doc)
    with contextlib.suppress(InvalidDocument):
        read_vote({"type": "Create", "actor": "https://a.example/u", "object": doc})
