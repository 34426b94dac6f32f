"""Polls: reading a `Question` and recognising a vote.

A campaign's join poll is a `Question`; on Mastodon, Misskey and Pleroma a
vote arrives as `Create{Note{name: <option>, inReplyTo: <poll id>}}` with no
content, so votes cannot be told from replies by type alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from activitypub.errors import InvalidDocument
from activitypub.language import read_name
from activitypub.vocab import (
    as_document,
    has_type,
    iter_values,
    read_count,
    read_datetime,
    read_id,
    read_ref,
    require_ref,
)

__all__ = ["MAX_POLL_OPTIONS", "Poll", "PollOption", "Vote", "read_poll", "read_vote"]

#: Most options accepted in one poll (Mastodon allows 4 by default, Misskey 10).
MAX_POLL_OPTIONS = 50


@dataclass(frozen=True, slots=True)
class PollOption:
    """One choice, with the sender's vote count (a display hint, never authority)."""

    name: str
    votes: int | None = None


@dataclass(frozen=True, slots=True)
class Poll:
    """A `Question`: `oneOf` (single choice) or `anyOf` (multiple choice)."""

    id: str
    options: tuple[PollOption, ...]
    multiple: bool = False
    voters_count: int | None = None
    end_time: datetime | None = None
    closed: bool = False


def _option(item: object) -> PollOption:
    if not isinstance(item, Mapping):
        raise InvalidDocument("poll option is not an object")
    name = read_name(item)
    if not name:
        raise InvalidDocument("poll option has no name")
    replies = item.get("replies")
    votes = read_count(replies, "totalItems") if isinstance(replies, Mapping) else None
    return PollOption(name, votes)


def read_poll(question: Mapping[str, Any], *, limit: int = MAX_POLL_OPTIONS) -> Poll:
    """Read a `Question`; InvalidDocument if it is not one or has no usable options."""
    question = as_document(question)
    if not has_type(question, "Question"):
        raise InvalidDocument("not a Question")
    multiple = question.get("anyOf") is not None
    raw = question.get("anyOf" if multiple else "oneOf")
    options = tuple(_option(item) for item in iter_values(raw, limit=limit, field="options"))
    if not options:
        raise InvalidDocument("Question has no options")
    # `closed` is a date-time (Mastodon, Pleroma) or a boolean (AS2 allows both).
    closed_value = question.get("closed")
    closed = closed_value is True or (
        isinstance(closed_value, str) and read_datetime(question, "closed") is not None
    )
    return Poll(
        id=read_id(question),
        options=options,
        multiple=multiple,
        voters_count=read_count(question, "votersCount"),
        end_time=read_datetime(question, "endTime"),
        closed=closed,
    )


@dataclass(frozen=True, slots=True)
class Vote:
    """A poll vote: `voter` chose the option named `choice` in poll `poll_id`."""

    id: str
    voter: str
    poll_id: str
    choice: str


def read_vote(activity: Mapping[str, Any]) -> Vote | None:
    """The vote carried by a `Create`, or None if the activity is not a vote.

    A vote is a Create of a Note with a `name`, an `inReplyTo` and no
    `content`. The note's `attributedTo`, when given, must be the activity's
    actor, or the document is InvalidDocument (someone voting for another).
    """
    activity = as_document(activity)
    if not has_type(activity, "Create"):
        return None
    ref = read_ref(activity, "object")
    note = ref.embedded if ref is not None else None
    if note is None or not has_type(note, "Note"):
        return None
    if note.get("content") or note.get("name") is None or note.get("inReplyTo") is None:
        return None
    voter = require_ref(activity, "actor").id
    author = read_ref(note, "attributedTo")
    if author is not None and author.id != voter:
        raise InvalidDocument("vote attributed to someone else than its actor")
    choice = read_name(note)
    if not choice:
        raise InvalidDocument("vote without an option name")
    return Vote(
        id=read_id(note), voter=voter, poll_id=require_ref(note, "inReplyTo").id, choice=choice
    )
