"""Natural-language values: `content`/`contentMap`, `name`/`nameMap`, `summary`/`summaryMap`.

AS2 lets a text come as a plain string, a language map, or both (Mastodon
sends both for `content`; Mobilizon and PeerTube send the plain string only).
`read_text` picks one value by the reader's language preference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from activitypub.errors import InvalidDocument
from activitypub.vocab import MAX_STRING_LENGTH, MAX_TEXT_LENGTH, as_document

__all__ = ["MAX_LANGUAGES", "read_language_map", "read_name", "read_text"]

#: Most entries accepted in one language map.
MAX_LANGUAGES = 64


def _check_text(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidDocument(f"{field}: longer than {limit} characters")
    return value


def read_language_map(
    doc: Mapping[str, Any], field: str, *, limit: int = MAX_TEXT_LENGTH
) -> dict[str, str]:
    """`doc[field + "Map"]` as {language tag: text}; absent or null gives {}.

    Entries whose key or value is not a string are skipped (JSON-LD would drop
    them too); a map that is not an object, or too large, is InvalidDocument.
    """
    value = as_document(doc).get(field + "Map")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidDocument(f"{field}Map: not an object")
    if len(value) > MAX_LANGUAGES:
        raise InvalidDocument(f"{field}Map: more than {MAX_LANGUAGES} languages")
    return {
        tag: _check_text(text, f"{field}Map", limit)
        for tag, text in value.items()
        if isinstance(tag, str) and isinstance(text, str) and 0 < len(tag) <= 35
    }


def _pick(by_language: Mapping[str, str], languages: Sequence[str]) -> str | None:
    folded = {tag.lower(): text for tag, text in by_language.items()}
    for wanted in (lang.lower() for lang in languages):
        if wanted in folded:
            return folded[wanted]
        # "fr" matches "fr-ca" and "fr-ca" falls back to "fr": same primary subtag.
        primary = wanted.split("-", 1)[0]
        for tag, text in folded.items():
            if tag.split("-", 1)[0] == primary:
                return text
    return None


def read_text(
    doc: Mapping[str, Any],
    field: str = "content",
    *,
    languages: Sequence[str] = (),
    limit: int = MAX_TEXT_LENGTH,
) -> str | None:
    """One text for `field`, preferring the reader's `languages` in order.

    Order: a map entry in a preferred language; else the plain `field`
    string (the sender's default language); else the map's `und` entry; else
    the map's first entry; else None. A plain value that is not a string is
    InvalidDocument. Over-long text is InvalidDocument, not truncated: cutting
    HTML in the middle breaks the markup the sanitiser sees.
    """
    doc = as_document(doc)
    by_language = read_language_map(doc, field, limit=limit)
    preferred = _pick(by_language, languages)
    if preferred is not None:
        return preferred
    plain = doc.get(field)
    if plain is not None:
        if not isinstance(plain, str):
            raise InvalidDocument(f"{field}: not a string")
        return _check_text(plain, field, limit)
    if "und" in by_language:
        return by_language["und"]
    return next(iter(by_language.values()), None)


def read_name(
    doc: Mapping[str, Any], *, languages: Sequence[str] = (), limit: int = MAX_STRING_LENGTH
) -> str | None:
    """`name`/`nameMap` with the shorter cap of a plain string (poll options, titles)."""
    return read_text(doc, "name", languages=languages, limit=limit)
