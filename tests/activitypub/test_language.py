"""Language-tagged text: one value per reader, whichever way the sender wrote it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activitypub.errors import InvalidDocument
from activitypub.language import read_language_map, read_name, read_text
from activitypub.vocab import require_ref

PEERS = Path(__file__).parent / "fixtures" / "peers"


def embedded_object(name: str) -> dict[str, Any]:
    activity = json.loads((PEERS / name).read_text())
    note = require_ref(activity, "object").embedded
    assert note is not None
    return dict(note)


def test_content_and_content_map_with_preference() -> None:
    question = embedded_object("mastodon/question.json")
    assert read_text(question, languages=["fr"]) == "<p>Qui vient au nettoyage ?</p>"
    assert read_text(question, languages=["en"]) == "<p>Who comes to the clean-up?</p>"
    # No preferred language available: the plain value, the sender's default.
    assert read_text(question, languages=["de"]) == "<p>Who comes to the clean-up?</p>"


def test_content_map_only() -> None:
    note = embedded_object("mastodon/create_note_contentmap.json")
    text = read_text(note)
    assert text is not None
    assert "je participe" in text


def test_primary_subtag_matches_both_ways() -> None:
    doc = {"contentMap": {"fr-CA": "bonjour", "en": "hello"}}
    assert read_text(doc, languages=["fr"]) == "bonjour"
    assert read_text({"contentMap": {"fr": "salut"}}, languages=["fr-BE"]) == "salut"
    assert read_text(doc, languages=["EN"]) == "hello"


def test_fallbacks() -> None:
    assert read_text({"contentMap": {"de": "hallo", "und": "?"}}) == "?"
    assert read_text({"contentMap": {"de": "hallo"}}) == "hallo"
    assert read_text({}) is None
    assert read_text({"content": None, "contentMap": None}) is None


def test_name_and_name_map() -> None:
    assert read_name({"name": "Beach clean-up"}) == "Beach clean-up"
    assert read_name({"nameMap": {"fr": "Nettoyage", "en": "Clean-up"}}, languages=["en"]) == (
        "Clean-up"
    )
    with pytest.raises(InvalidDocument):
        read_name({"name": "x" * 2001})


def test_summary_and_limits() -> None:
    assert read_text({"summary": "cw"}, "summary") == "cw"
    with pytest.raises(InvalidDocument):
        read_text({"content": "x" * 11}, limit=10)
    with pytest.raises(InvalidDocument):
        read_text({"contentMap": {"en": "x" * 11}}, limit=10)
    with pytest.raises(InvalidDocument):
        read_text({"content": {"en": "hello"}})
    with pytest.raises(InvalidDocument):
        read_language_map({"contentMap": ["en", "hello"]}, "content")
    with pytest.raises(InvalidDocument):
        read_language_map({"contentMap": {f"l{i}": "x" for i in range(65)}}, "content")


def test_language_map_skips_unusable_entries() -> None:
    doc = {"contentMap": {"en": "hello", "fr": 3, "": "empty tag", "x" * 40: "long tag"}}
    assert read_language_map(doc, "content") == {"en": "hello"}


@given(
    st.dictionaries(
        st.sampled_from(["content", "contentMap", "name", "nameMap"]),
        st.none() | st.text() | st.integers() | st.dictionaries(st.text(), st.text() | st.none()),
    ),
    st.lists(st.text(max_size=8), max_size=3),
)
def test_arbitrary_text_fields_raise_only_invalid_document(
    doc: dict[str, Any], languages: list[str]
) -> None:
    for field in ("content", "name"):
        try:
            value = read_text(doc, field, languages=languages)
        except InvalidDocument:
            continue
        assert value is None or isinstance(value, str)
