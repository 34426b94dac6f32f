"""Hypothesis strategies for JSON documents that look enough like AS2 to reach deep code."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

KEYS = [
    "id",
    "type",
    "actor",
    "object",
    "attributedTo",
    "inReplyTo",
    "to",
    "cc",
    "@context",
    "@language",
    "@id",
    "publicKey",
    "publicKeyPem",
    "owner",
    "content",
    "contentMap",
    "name",
    "nameMap",
    "oneOf",
    "anyOf",
    "replies",
    "totalItems",
    "closed",
    "endTime",
    "votersCount",
    "links",
    "rel",
    "href",
    "template",
    "subject",
    "aliases",
    "inbox",
    "endpoints",
    "sharedInbox",
]
ATOMS = [
    "https://a.example/u",
    "https://a.example/u#main-key",
    "https://www.w3.org/ns/activitystreams",
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "self",
    "application/activity+json",
    "http://ostatus.org/schema/1.0/subscribe",
    "https://a.example/i?uri={uri}",
    "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "https://www.w3.org/ns/activitystreams#Application",
    "Create",
    "Note",
    "Question",
    "acct:u@a.example",
    "2026-03-01T09:00:00Z",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(ATOMS)
)


def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """Any JSON value, biased towards AS2 keys and values."""
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=6)
        ),
        max_leaves=max_leaves,
    )


def documents() -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object with AS2-ish keys at the top."""
    return st.dictionaries(st.sampled_from(KEYS), json_values(), max_size=10)
