"""Pinned JSON-LD contexts, the `@context` fedimob sends, and reading a peer's `@context`.

No context is ever fetched (SECURITY.md): fetching one would let whoever
answers at that URL change what every document means, and costs a request
per document. The contexts we understand are pinned here as Python data;
unknown context URLs are recorded and otherwise ignored.

fedimob sends ActivityStreams, security v1, and one inline map that defines
Mobilizon's `mz:`, schema.org's `sc:` and Mastodon's `toot:` terms that a
campaign `Event` and its `Question` use, plus the `fedimob:` extension for
what AS2 lacks (see `FEDIMOB_TERMS`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from activitypub.errors import InvalidDocument
from activitypub.vocab import MAX_STRING_LENGTH, as_document, iter_values

__all__ = [
    "AS2_CONTEXT",
    "AS2_NS",
    "FEDIMOB_CONTEXT",
    "FEDIMOB_NS",
    "FEDIMOB_TERMS",
    "MOBILIZON_NS",
    "PINNED_CONTEXTS",
    "SCHEMA_NS",
    "SECURITY_NS",
    "SECURITY_V1_CONTEXT",
    "TOOT_NS",
    "ContextInfo",
    "InstanceCount",
    "PledgeOption",
    "expand_term",
    "fedimob_context",
    "load_pinned_context",
    "read_context",
]

AS2_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS2_NS = "https://www.w3.org/ns/activitystreams#"
SECURITY_V1_CONTEXT = "https://w3id.org/security/v1"
SECURITY_NS = "https://w3id.org/security#"
MOBILIZON_NS = "https://joinmobilizon.org/ns#"
# Mobilizon and Mastodon write schema.org with "http" and "#"; the prefix must
# match theirs for the expanded IRIs to be the same.
SCHEMA_NS = "http://schema.org#"
TOOT_NS = "http://joinmastodon.org/ns#"
FEDIMOB_NS = "https://fedimob.org/ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _words(text: str) -> list[str]:
    return text.split()


# The ActivityStreams 2.0 context, rebuilt from its term lists (the published
# document maps every term to `as:<term>` with one of these value types).
_AS2_CLASSES = _words(
    "Accept Activity IntransitiveActivity Add Announce Application Arrive Article Audio Block "
    "Collection CollectionPage Relationship Create Delete Dislike Document Event Follow Flag "
    "Group Ignore Image Invite Join Leave Like Link Mention Note Object Offer "
    "OrderedCollection OrderedCollectionPage Organization Page Person Place Profile Question "
    "Reject Remove Service TentativeAccept TentativeReject Tombstone Undo Update Video View "
    "Listen Read Move Travel IsFollowing IsFollowedBy IsContact IsMember"
)
_AS2_ID_PROPS = _words(
    "subject relationship actor attributedTo attachment bcc bto cc context current first "
    "generator icon image inReplyTo items instrument last location next object oneOf anyOf "
    "origin prev preview replies result audience partOf tag target to url href describes "
    "formerType outbox following followers streams endpoints uploadMedia proxyUrl liked "
    "oauthAuthorizationEndpoint oauthTokenEndpoint provideClientKey signClientKey sharedInbox "
    "Public likes shares alsoKnownAs"
)
_AS2_TYPED_PROPS = {
    "dateTime": "closed endTime published startTime updated deleted",
    "float": "accuracy altitude latitude longitude radius",
    "nonNegativeInteger": "height startIndex totalItems width",
    "duration": "duration",
}
_AS2_PLAIN_PROPS = "content name summary hreflang mediaType rel units preferredUsername source"

_AS2_DOCUMENT: dict[str, Any] = {
    "@vocab": "_:",
    "xsd": _XSD,
    "as": AS2_NS,
    "ldp": "http://www.w3.org/ns/ldp#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "id": "@id",
    "type": "@type",
    **{name: f"as:{name}" for name in _AS2_CLASSES},
    **{name: {"@id": f"as:{name}", "@type": "@id"} for name in _AS2_ID_PROPS},
    **{
        name: {"@id": f"as:{name}", "@type": f"xsd:{kind}"}
        for kind, names in _AS2_TYPED_PROPS.items()
        for name in names.split()
    },
    **{name: f"as:{name}" for name in _AS2_PLAIN_PROPS.split()},
    **{
        f"{name}Map": {"@id": f"as:{name}", "@container": "@language"}
        for name in ("content", "name", "summary")
    },
    "orderedItems": {"@id": "as:items", "@type": "@id", "@container": "@list"},
    "inbox": {"@id": "ldp:inbox", "@type": "@id"},
}

# security/v1, restricted to the terms Fediverse servers exchange (keys and
# the legacy LD signature envelope some still attach).
_SECURITY_DOCUMENT: dict[str, Any] = {
    "id": "@id",
    "type": "@type",
    "dc": "http://purl.org/dc/terms/",
    "sec": SECURITY_NS,
    "xsd": _XSD,
    "CryptographicKey": "sec:Key",
    "RsaSignature2017": "sec:RsaSignature2017",
    "created": {"@id": "dc:created", "@type": "xsd:dateTime"},
    "creator": {"@id": "dc:creator", "@type": "@id"},
    "expires": {"@id": "sec:expiration", "@type": "xsd:dateTime"},
    "nonce": "sec:nonce",
    "owner": {"@id": "sec:owner", "@type": "@id"},
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
    "signature": {"@id": "sec:signature", "@type": "@id"},
    "signatureValue": "sec:signatureValue",
}

#: Context documents we understand, by URL. Never fetched, never mutated.
PINNED_CONTEXTS: Mapping[str, Mapping[str, Any]] = {
    AS2_CONTEXT: {"@context": _AS2_DOCUMENT},
    SECURITY_V1_CONTEXT: {"@context": _SECURITY_DOCUMENT},
}

#: The inline map fedimob sends: third-party terms it uses, then its own.
FEDIMOB_TERMS: Mapping[str, Any] = {
    "xsd": _XSD,
    "mz": MOBILIZON_NS,
    "sc": SCHEMA_NS,
    "toot": TOOT_NS,
    "fedimob": FEDIMOB_NS,
    # Mobilizon (FEP-8a8e events) and schema.org terms, as Mobilizon defines them.
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "joinModeType": {"@id": "mz:joinModeType", "@type": "rdfs:Class"},
    "participantCount": {"@id": "mz:participantCount", "@type": "sc:Integer"},
    "anonymousParticipationEnabled": {
        "@id": "mz:anonymousParticipationEnabled",
        "@type": "sc:Boolean",
    },
    "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
    "participationMessage": {"@id": "mz:participationMessage", "@type": "sc:Text"},
    "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
    "PropertyValue": "sc:PropertyValue",
    "propertyID": "sc:propertyID",
    "value": "sc:value",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "PostalAddress": "sc:PostalAddress",
    "streetAddress": "sc:streetAddress",
    "postalCode": "sc:postalCode",
    "addressLocality": "sc:addressLocality",
    "addressRegion": "sc:addressRegion",
    "addressCountry": "sc:addressCountry",
    # Mastodon: poll voter count, and flags it reads on every object.
    "votersCount": "toot:votersCount",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "discoverable": "toot:discoverable",
    # fedimob: a campaign's goal, progress and pledges.
    "goalKind": "fedimob:goalKind",  # "participants" | "minutes" | "impact"
    "goalTarget": {"@id": "fedimob:goalTarget", "@type": "xsd:nonNegativeInteger"},
    "deadline": {"@id": "fedimob:deadline", "@type": "xsd:dateTime"},
    "pledgedMinutes": {"@id": "fedimob:pledgedMinutes", "@type": "xsd:nonNegativeInteger"},
    "impactUnit": "fedimob:impactUnit",  # free text: "kg of waste", "e-mails deleted"
    "impactTotal": {"@id": "fedimob:impactTotal", "@type": "xsd:decimal"},
    "instanceBreakdown": {"@id": "fedimob:instanceBreakdown", "@container": "@set"},
    "InstanceCount": "fedimob:InstanceCount",
    "instance": {"@id": "fedimob:instance", "@type": "@id"},
    "pledgeOptions": {"@id": "fedimob:pledgeOptions", "@container": "@list"},
    "PledgeOption": "fedimob:PledgeOption",
    "minutes": {"@id": "fedimob:minutes", "@type": "xsd:nonNegativeInteger"},
    # When the counts were read: a copy keeps the latest, whatever order Updates arrive in.
    "countedAt": {"@id": "fedimob:countedAt", "@type": "xsd:dateTime"},
}

#: The `@context` of every document fedimob sends; use `fedimob_context()` for a copy.
FEDIMOB_CONTEXT: tuple[str | Mapping[str, Any], ...] = (
    AS2_CONTEXT,
    SECURITY_V1_CONTEXT,
    FEDIMOB_TERMS,
)


class PledgeOption(TypedDict):
    """An entry of a campaign Event's `pledgeOptions`: `{"type": "PledgeOption", ...}`."""

    type: str
    name: str
    minutes: int


class InstanceCount(TypedDict):
    """An entry of `instanceBreakdown`: how many joined (and pledged) from one instance."""

    type: str
    instance: str
    participantCount: int
    pledgedMinutes: int


def fedimob_context() -> list[Any]:
    """A fresh, mutable copy of FEDIMOB_CONTEXT to put in an outgoing document."""
    return copy.deepcopy(list(FEDIMOB_CONTEXT))


def load_pinned_context(url: str) -> Mapping[str, Any]:
    """A JSON-LD document loader that never touches the network.

    Give it to any JSON-LD processor: known contexts come from PINNED_CONTEXTS,
    anything else is InvalidDocument.
    """
    try:
        return PINNED_CONTEXTS[url]
    except KeyError:
        raise InvalidDocument(f"context {url[:200]!r} is not pinned") from None


@dataclass(frozen=True, slots=True)
class ContextInfo:
    """A peer's `@context`, read without fetching anything."""

    urls: tuple[str, ...] = ()
    terms: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None

    @property
    def unknown_urls(self) -> tuple[str, ...]:
        """Context URLs we have not pinned (and therefore ignore)."""
        return tuple(url for url in self.urls if url not in PINNED_CONTEXTS)


def read_context(doc: Mapping[str, Any], *, limit: int = 32) -> ContextInfo:
    """Read `@context` in any form: absent, a URL, an inline map, or a list of both.

    Inline maps are merged in order (a later definition wins, as in JSON-LD);
    `@language` is lifted out. Anything else is InvalidDocument.
    """
    urls: list[str] = []
    terms: dict[str, Any] = {}
    for item in iter_values(as_document(doc).get("@context"), limit=limit, field="@context"):
        if isinstance(item, str) and 0 < len(item) <= MAX_STRING_LENGTH:
            urls.append(item)
        elif isinstance(item, Mapping):
            if len(terms) + len(item) > 1_000:
                raise InvalidDocument("@context defines too many terms")
            terms.update((k, v) for k, v in item.items() if isinstance(k, str))
        else:
            raise InvalidDocument("@context entry is neither a URL nor a map")
    language = terms.pop("@language", None)
    return ContextInfo(tuple(urls), terms, language if isinstance(language, str) else None)


def expand_term(term: str, context: ContextInfo) -> str | None:
    """The full IRI a compact term stands for under `context`, or None if undefined.

    Inline definitions win over pinned contexts; `prefix:suffix` values are
    expanded through prefixes defined in the same places. Used to recognise
    an extension term (`participantCount`) whatever the peer calls it.
    """
    scopes: list[Mapping[str, Any]] = [context.terms]
    for url in reversed(context.urls):
        pinned = PINNED_CONTEXTS.get(url)
        if pinned is not None:
            scopes.append(pinned["@context"])

    def lookup(name: str) -> Any:
        return next((scope[name] for scope in scopes if name in scope), None)

    value = lookup(term)
    iri = value.get("@id") if isinstance(value, Mapping) else value
    for _ in range(4):  # prefixes may chain; a loop in a hostile context must end
        if not isinstance(iri, str) or "://" in iri or ":" not in iri:
            break
        prefix, suffix = iri.split(":", 1)
        base = lookup(prefix)
        if not isinstance(base, str):
            return None
        iri = base + suffix
    return iri if isinstance(iri, str) and "://" in iri else None
