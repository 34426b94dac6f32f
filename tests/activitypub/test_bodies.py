"""Recognising ActivityPub documents and reading bodies within limits (the pure parts;
the streamed cases run through the client in test_fetcher.py)."""

from __future__ import annotations

import pytest

from activitypub.bodies import is_activity_content_type, is_json_content_type, parse_json
from activitypub.errors import InvalidDocument


@pytest.mark.parametrize(
    "content_type",
    [
        "application/activity+json",
        "application/activity+json; charset=utf-8",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        'application/ld+json;charset=utf-8;profile="https://www.w3.org/ns/activitystreams"',
        "application/ld+json; profile=https://www.w3.org/ns/activitystreams",
        'APPLICATION/LD+JSON; PROFILE="https://www.w3.org/ns/activitystreams"; charset=utf-8',
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams https://x.example/p"',
    ],
)
def test_activity_content_types_accepted(content_type: str) -> None:
    assert is_activity_content_type(content_type)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/jrd+json", True),
        ("application/json", True),
        ('application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"', True),
        ("Application/JSON;charset=UTF-8", True),
        ("application/activity+json", False),
        ("text/json", False),
        ("", False),
    ],
)
def test_json_content_types(content_type: str, expected: bool) -> None:
    assert is_json_content_type(content_type) is expected


def test_parse_json_keeps_ordinary_documents() -> None:
    assert parse_json(b'{"id": "https://a.example/x", "n": 12345678901234567890}') == {
        "id": "https://a.example/x",
        "n": 12345678901234567890,
    }


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"a": 1} trailing',
        b"\xff",
    ],
)
def test_parse_json_refusals_are_invalid_documents(body: bytes) -> None:
    with pytest.raises(InvalidDocument):
        parse_json(body)
