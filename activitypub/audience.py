"""Who an activity is for: reading `to`/`cc`/`bto`/`bcc`, and turning them into inboxes.

Reading: each addressing field may be a string, an object or a list; the
public collection comes in three spellings. Delivering: recipients and
followers collections expand, through an injected `AudienceResolver`, to
a deduplicated list of inboxes, one shared inbox per server where possible.
`bto`/`bcc` are private to the sender and must be removed before sending.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from activitypub.errors import FetchError, InvalidDocument
from activitypub.ids import check_id, is_valid_id
from activitypub.vocab import as_document, iter_values

__all__ = [
    "ADDRESS_FIELDS",
    "AS_PUBLIC",
    "MAX_RECIPIENTS",
    "PUBLIC_SPELLINGS",
    "Audience",
    "AudienceResolver",
    "DeliveryPlan",
    "Inboxes",
    "inboxes_from_actor",
    "is_public",
    "read_audience",
    "resolve_inboxes",
    "strip_hidden_recipients",
]

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
#: The spellings of the public collection seen in the wild: the IRI, the
#: compact IRI (Pleroma, Misskey) and the bare term (some older servers).
PUBLIC_SPELLINGS = frozenset({AS_PUBLIC, "as:Public", "Public"})
ADDRESS_FIELDS = ("to", "cc", "bto", "bcc")
#: Most recipients accepted across all four fields of one document.
MAX_RECIPIENTS = 1000


def is_public(iri: object) -> bool:
    """True for any spelling of the public collection."""
    return isinstance(iri, str) and iri in PUBLIC_SPELLINGS


@dataclass(frozen=True, slots=True)
class Audience:
    """The addressing of one document, public collection spelled as AS_PUBLIC."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bto: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()

    @property
    def is_public(self) -> bool:
        """Public or unlisted: the public collection is in `to` or `cc`."""
        return AS_PUBLIC in self.to or AS_PUBLIC in self.cc

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every addressee but the public collection, once each, in field order."""
        everyone = (*self.to, *self.cc, *self.bto, *self.bcc)
        return tuple(dict.fromkeys(iri for iri in everyone if iri != AS_PUBLIC))


def _addressees(value: object, field: str, limit: int) -> tuple[str, ...]:
    found: list[str] = []
    for item in iter_values(value, limit=limit, field=field):
        iri = item.get("id") if isinstance(item, Mapping) else item
        if is_public(iri):
            found.append(AS_PUBLIC)
        elif is_valid_id(iri):
            found.append(check_id(iri))
        # Anything else (empty strings, numbers, relative paths) names nobody
        # we could deliver to, so it is dropped rather than failing the whole
        # activity: a sloppy cc must not lose a valid Join.
    return tuple(dict.fromkeys(found))


def read_audience(doc: Mapping[str, Any], *, limit: int = MAX_RECIPIENTS) -> Audience:
    """Read `to`, `cc`, `bto`, `bcc`; more than `limit` addressees in all is InvalidDocument."""
    doc = as_document(doc)
    fields = {name: _addressees(doc.get(name), name, limit) for name in ADDRESS_FIELDS}
    if sum(len(v) for v in fields.values()) > limit:
        raise InvalidDocument(f"more than {limit} recipients")
    return Audience(**fields)


def strip_hidden_recipients(activity: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `activity` without `bto`/`bcc`, also on an embedded object.

    The caller's dict is left untouched (a deep copy), so the stored activity
    keeps its blind recipients for delivery while the sent one does not.
    """
    sent = copy.deepcopy(dict(as_document(activity)))
    for doc in (sent, sent.get("object")):
        if isinstance(doc, dict):
            doc.pop("bto", None)
            doc.pop("bcc", None)
    return sent


@dataclass(frozen=True, slots=True)
class Inboxes:
    """Where one actor receives activities."""

    actor_id: str
    inbox: str
    shared_inbox: str | None = None


def inboxes_from_actor(actor: Mapping[str, Any]) -> Inboxes:
    """Read `inbox` and `endpoints.sharedInbox` from an actor document.

    A malformed shared inbox is ignored (the personal inbox still works); a
    missing or malformed `inbox` is InvalidDocument.
    """
    actor = as_document(actor)
    endpoints = actor.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, Mapping) else None
    return Inboxes(
        actor_id=check_id(actor.get("id")),
        inbox=check_id(actor.get("inbox")),
        shared_inbox=shared if isinstance(shared, str) and is_valid_id(shared) else None,
    )


class AudienceResolver(Protocol):
    """The application's port for finding recipients' inboxes."""

    async def expand_collection(self, iri: str) -> Sequence[Inboxes] | None:
        """The members of a collection we can enumerate (our followers), or None
        if `iri` is not such a collection."""

    async def resolve_actor(self, iri: str) -> Inboxes:
        """The inboxes of the actor `iri` (cached or fetched); raise FetchError or
        InvalidDocument when it cannot be found."""


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """The inboxes to POST to, and the addressees that could not be resolved."""

    inboxes: tuple[str, ...]
    unresolved: tuple[str, ...] = ()


async def resolve_inboxes(
    activity: Mapping[str, Any],
    resolver: AudienceResolver,
    *,
    exclude: Collection[str] = (),
    prefer_shared_inbox: bool = True,
) -> DeliveryPlan:
    """Expand an activity's addressees into a deduplicated list of inboxes.

    The public collection is skipped (it has no inbox); actors in `exclude`
    (the sender, local actors) are skipped; each server's `sharedInbox` is used
    instead of personal inboxes when `prefer_shared_inbox` (the server routes by
    addressing). One unreachable addressee does not stop delivery to the rest:
    it is reported in `unresolved`.
    """
    members: list[Inboxes] = []
    unresolved: list[str] = []
    for iri in read_audience(activity).recipients:
        if iri in exclude:
            continue
        collection = await resolver.expand_collection(iri)
        if collection is not None:
            members.extend(collection)
            continue
        try:
            members.append(await resolver.resolve_actor(iri))
        except (FetchError, InvalidDocument):
            unresolved.append(iri)
    chosen: dict[str, None] = {}
    for member in members:
        if member.actor_id in exclude:
            continue
        shared = member.shared_inbox if prefer_shared_inbox else None
        chosen[shared or member.inbox] = None
    return DeliveryPlan(tuple(chosen), tuple(unresolved))
