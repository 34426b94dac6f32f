"""Tolerant readers for ActivityStreams 2.0 documents, and a safe JSON loader.

Peers disagree on shapes: `actor` is a string or an embedded object, `to` a
string or a list, `type` a string or a list, `publicKey` an object or a list.
Each reader here accepts every shape seen in the wild, returns one plain
Python shape, and raises InvalidDocument (-> 400) for anything else, so
callers never meet a KeyError, TypeError or RecursionError from remote data.

Arrays and strings are capped; the caps are module constants, used as
keyword defaults so a caller can pass a different limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from activitypub.errors import InvalidDocument
from activitypub.ids import check_id, is_valid_id

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_JSON_DEPTH",
    "MAX_KEYS",
    "MAX_REFS",
    "MAX_STRING_LENGTH",
    "MAX_TAGS",
    "MAX_TEXT_LENGTH",
    "ActorKey",
    "JSONInput",
    "Ref",
    "as_document",
    "find_public_key",
    "has_type",
    "iter_values",
    "loads_json",
    "loads_object",
    "read_attachments",
    "read_count",
    "read_datetime",
    "read_id",
    "read_public_keys",
    "read_ref",
    "read_refs",
    "read_string",
    "read_tags",
    "read_types",
    "require_ref",
]

#: What `loads_json` parses: the raw body, or text already decoded.
JSONInput = bytes | bytearray | memoryview | str
#: Deepest nesting accepted; real activities stay under 10 levels.
MAX_JSON_DEPTH = 32
#: Longest plain string (names, usernames, media types).
MAX_STRING_LENGTH = 2_000
#: Longest rich text (content and summary HTML); Mastodon's own limit is far lower.
MAX_TEXT_LENGTH = 100_000
#: Most references in one field (`actor`, `object`, `attributedTo`...).
MAX_REFS = 100
MAX_TAGS = 100
MAX_ATTACHMENTS = 100
#: Most keys one actor may list.
MAX_KEYS = 16


def loads_json(data: JSONInput, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from a remote party; any failure is InvalidDocument.

    orjson already refuses NaN, lone surrogates, numbers that overflow a
    double and nesting past 1,024 (and never builds a huge int digit by
    digit); the depth walk adds our own, much lower, cap so that any
    recursive code later is safe too.
    """
    try:
        value = orjson.loads(data)
    except (orjson.JSONDecodeError, ValueError, RecursionError, TypeError) as exc:
        raise InvalidDocument("body is not valid JSON") from exc
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                raise InvalidDocument(f"JSON nested deeper than {max_depth}")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return value


def loads_object(data: JSONInput, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """Parse JSON whose top level must be an object (every AS2 document is)."""
    value = loads_json(data, max_depth=max_depth)
    if not isinstance(value, dict):
        raise InvalidDocument("top-level JSON is not an object")
    return value


def as_document(value: object) -> Mapping[str, Any]:
    """Return `value` if it is a JSON object, else raise InvalidDocument."""
    if not isinstance(value, Mapping):
        raise InvalidDocument("expected a JSON object")
    return value


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an object: its id, and the embedded copy when one was sent.

    An embedded copy is only a hint: unless its id is on the origin of the
    actor who sent it, it must be re-fetched from its own origin before being
    trusted (SECURITY.md, "Objects"; `ids.same_origin` decides).
    """

    id: str
    embedded: Mapping[str, Any] | None = None


def iter_values(value: object, *, limit: int, field: str) -> Iterator[object]:
    """Yield the items of a JSON-LD value: absent/null -> none, scalar -> one, list -> each.

    Raises InvalidDocument past `limit` items, or on a nested list.
    """
    if value is None:
        return
    items = value if isinstance(value, list) else [value]
    if len(items) > limit:
        raise InvalidDocument(f"{field}: more than {limit} values")
    for item in items:
        if isinstance(item, list):
            raise InvalidDocument(f"{field}: nested list")
        if item is not None:
            yield item


def _ref_from(item: object, field: str) -> Ref:
    if isinstance(item, str):
        return Ref(check_id(item))
    if isinstance(item, Mapping):
        ident = item.get("id")
        # A bare Link ({"type": "Link", "href": ...}) points at its href.
        if ident is None and item.get("type") == "Link":
            return Ref(check_id(item.get("href")))
        return Ref(check_id(ident), item)
    raise InvalidDocument(f"{field}: neither an id nor an object")


def read_refs(doc: Mapping[str, Any], field: str, *, limit: int = MAX_REFS) -> list[Ref]:
    """Every reference in `doc[field]` (string, object, or a list of them), in order."""
    doc = as_document(doc)
    return [
        _ref_from(item, field) for item in iter_values(doc.get(field), limit=limit, field=field)
    ]


def read_ref(doc: Mapping[str, Any], field: str) -> Ref | None:
    """The single reference in `doc[field]`, or None when absent or null.

    A one-element list is accepted (some peers wrap everything); several
    different ids are ambiguous and raise InvalidDocument.
    """
    refs = read_refs(doc, field)
    if not refs:
        return None
    if any(ref.id != refs[0].id for ref in refs[1:]):
        raise InvalidDocument(f"{field}: several different references")
    return next((ref for ref in refs if ref.embedded is not None), refs[0])


def require_ref(doc: Mapping[str, Any], field: str) -> Ref:
    """Like `read_ref`, but a missing field is InvalidDocument."""
    ref = read_ref(doc, field)
    if ref is None:
        raise InvalidDocument(f"{field} is missing")
    return ref


def read_id(doc: Mapping[str, Any]) -> str:
    """The document's own `id`, which must be a valid id."""
    return check_id(as_document(doc).get("id"))


def read_types(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """`type` as a tuple, whether sent as a string or a list.

    Compact (`as:Note`) and expanded AS2 IRIs are shortened to the bare term
    so that `has_type(doc, "Note")` holds for all three spellings.
    """
    doc = as_document(doc)
    types: list[str] = []
    for item in iter_values(doc.get("type"), limit=16, field="type"):
        if not isinstance(item, str) or not 0 < len(item) <= MAX_STRING_LENGTH:
            raise InvalidDocument("type: not a short string")
        for prefix in ("https://www.w3.org/ns/activitystreams#", "as:"):
            if item.startswith(prefix):
                item = item[len(prefix) :]
        types.append(item)
    return tuple(types)


def has_type(doc: Mapping[str, Any], *names: str) -> bool:
    """True if the document has any of the given types."""
    return not set(read_types(doc)).isdisjoint(names)


def read_string(
    doc: Mapping[str, Any], field: str, *, limit: int = MAX_STRING_LENGTH
) -> str | None:
    """A string field, or None when absent or null; longer than `limit` is refused."""
    value = as_document(doc).get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDocument(f"{field}: not a string")
    if len(value) > limit:
        raise InvalidDocument(f"{field}: longer than {limit} characters")
    return value


def read_count(doc: Mapping[str, Any], field: str) -> int | None:
    """A non-negative integer field (`participantCount`, `votersCount`...), or None.

    Remote counts are display hints, never authority (SECURITY.md).
    """
    value = as_document(doc).get(field)
    if value is None:
        return None
    # bool is an int subclass: `true` must not read as 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidDocument(f"{field}: not a non-negative integer")
    return value


def read_datetime(doc: Mapping[str, Any], field: str) -> datetime | None:
    """An xsd:dateTime field as an aware datetime (naive values are taken as UTC)."""
    text = read_string(doc, field, limit=64)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDocument(f"{field}: not an ISO 8601 date-time") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _objects(doc: Mapping[str, Any], field: str, limit: int) -> list[Mapping[str, Any]]:
    # Tags and attachments we cannot use (bare strings) are skipped, not fatal:
    # Lemmy and Misskey add entries of their own kinds.
    doc = as_document(doc)
    return [
        item
        for item in iter_values(doc.get(field), limit=limit, field=field)
        if isinstance(item, Mapping)
    ]


def read_tags(doc: Mapping[str, Any], *, limit: int = MAX_TAGS) -> list[Mapping[str, Any]]:
    """The `tag` entries that are objects (Mention, Hashtag, Emoji...), at most `limit`."""
    return _objects(doc, "tag", limit)


def read_attachments(
    doc: Mapping[str, Any], *, limit: int = MAX_ATTACHMENTS
) -> list[Mapping[str, Any]]:
    """The `attachment` entries that are objects (Document, PropertyValue...)."""
    return _objects(doc, "attachment", limit)


@dataclass(frozen=True, slots=True)
class ActorKey:
    """A key an actor document advertises: `publicKey` (PEM) or FEP-521a Multikey."""

    id: str
    owner: str | None
    pem: str | None = None
    multibase: str | None = None


def _key_from(item: Mapping[str, Any], actor_id: str | None) -> ActorKey | None:
    key_id = item.get("id")
    owner = item.get("owner", item.get("controller", actor_id))
    if not isinstance(key_id, str) or not is_valid_id(key_id):
        return None
    if owner is not None and not is_valid_id(owner):
        return None
    pem, multibase = item.get("publicKeyPem"), item.get("publicKeyMultibase")
    if isinstance(pem, str) and 0 < len(pem) <= 16_384:
        return ActorKey(key_id, owner, pem=pem)
    if isinstance(multibase, str) and 0 < len(multibase) <= 1_024:
        return ActorKey(key_id, owner, multibase=multibase)
    return None


def read_public_keys(actor: Mapping[str, Any], *, limit: int = MAX_KEYS) -> list[ActorKey]:
    """Every usable key of an actor: `publicKey` (object or list) then `assertionMethod`.

    Entries without an id or key material are skipped: Mastodon lists key ids
    only as strings in some places, and Mitra adds Multikeys of other kinds.
    The owner defaults to the actor; checking it equals the actor is the
    verifier's job.
    """
    actor = as_document(actor)
    actor_id = actor.get("id") if is_valid_id(actor.get("id")) else None
    keys: list[ActorKey] = []
    for field in ("publicKey", "assertionMethod"):
        for item in iter_values(actor.get(field), limit=limit, field=field):
            key = _key_from(item, actor_id) if isinstance(item, Mapping) else None
            if key is not None:
                keys.append(key)
    return keys


def find_public_key(actor: Mapping[str, Any], key_id: str) -> ActorKey | None:
    """The key of `actor` whose id is exactly `key_id`, or None if it lists no such key."""
    return next((key for key in read_public_keys(actor) if key.id == key_id), None)
