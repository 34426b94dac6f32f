"""WebFinger (RFC 7033) and host-meta: serving our actors, finding other servers' ones.

Serving: `build_jrd` answers `/.well-known/webfinger?resource=acct:slug@host`
with the actor's id (`self`), HTML page and the remote-interaction template;
`build_host_meta` answers `/.well-known/host-meta` for older clients.

Finding: `parse_handle` reads what a visitor types (`@alice@social.example`,
`alice@social.example`, `acct:alice@social.example`; a port is allowed for
development), and `resolve_handle` looks it up through an injected
`JSONGetter` (the safe outbound client), returning the actor id and the
"remote follow" template used by `interaction_url`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, Protocol, TypedDict
from urllib.parse import quote, urlencode
from xml.sax.saxutils import quoteattr

from activitypub.errors import FetchError, InvalidDocument, WebFingerError
from activitypub.ids import check_id, is_valid_id, normalize_host, origin_of
from activitypub.vocab import as_document, iter_values

__all__ = [
    "AP_MEDIA_TYPES",
    "JRD",
    "REL_PROFILE_PAGE",
    "REL_SELF",
    "REL_SUBSCRIBE",
    "WEBFINGER_PATH",
    "Handle",
    "JRDLink",
    "JSONGetter",
    "WebFingerResult",
    "build_host_meta",
    "build_jrd",
    "interaction_url",
    "parse_handle",
    "read_jrd",
    "resolve_handle",
]

WEBFINGER_PATH = "/.well-known/webfinger"
REL_SELF = "self"
REL_PROFILE_PAGE = "http://webfinger.net/rel/profile-page"
REL_SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
#: `self` link types that name an ActivityPub actor, preferred first.
AP_MEDIA_TYPES = (
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
_JRD_ACCEPT = "application/jrd+json, application/json;q=0.9"
# RFC 3986 unreserved characters: every Fediverse server's usernames fit.
_USER = re.compile(r"^[A-Za-z0-9._~-]{1,255}$")
_HOST_PORT = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]]+)(?::(?P<port>[0-9]{1,5}))?$")


class JSONGetter(Protocol):
    """The port through which discovery reads JSON: the safe outbound client.

    It GETs `url` with the given Accept header and returns the parsed body;
    it raises FetchError (or InvalidDocument for a body that is not JSON).
    """

    async def __call__(self, url: str, /, *, accept: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Handle:
    """A parsed `user@host` account; `host` is normalised and may carry `:port`."""

    user: str
    host: str

    @property
    def acct(self) -> str:
        """The `acct:` URI (RFC 7565)."""
        return f"acct:{self.user}@{self.host}"

    def __str__(self) -> str:
        return f"@{self.user}@{self.host}"

    def webfinger_url(self, *, scheme: str = "https") -> str:
        """Where this account's JRD lives; `scheme="http"` only for development peers."""
        return f"{scheme}://{self.host}{WEBFINGER_PATH}?{urlencode({'resource': self.acct})}"


def parse_handle(text: str) -> Handle:
    """Parse `@user@host`, `user@host` or `acct:user@host` (surrounding spaces ignored).

    The host is IDNA-normalised and lower-cased; an explicit port is kept.
    Raises WebFingerError for anything else, including control characters.
    """
    if not isinstance(text, str) or len(text) > 600:
        raise WebFingerError("not a handle")
    value = text.strip()
    if value[:5].lower() == "acct:":
        value = value[5:]
    elif value.startswith("@"):
        value = value[1:]
    user, sep, host_port = value.partition("@")
    match = _HOST_PORT.match(host_port)
    if not sep or not _USER.match(user) or match is None:
        raise WebFingerError("not a user@host handle")
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise WebFingerError("invalid port in handle")
    try:
        host = normalize_host(match["host"])
    except InvalidDocument as exc:
        raise WebFingerError("invalid host in handle") from exc
    if ":" in host:
        host = f"[{host}]"
    return Handle(user, f"{host}:{int(port)}" if port is not None else host)


class JRDLink(TypedDict):
    """One `links` entry of a JRD."""

    rel: str
    type: NotRequired[str]
    href: NotRequired[str]
    template: NotRequired[str]


class JRD(TypedDict):
    """A JSON Resource Descriptor, as served at `/.well-known/webfinger`."""

    subject: str
    aliases: list[str]
    links: list[JRDLink]


def build_jrd(
    handle: Handle,
    actor_id: str,
    *,
    profile_url: str | None = None,
    subscribe_template: str | None = None,
) -> JRD:
    """The JRD for one of our actors, in the shape Mastodon serves.

    `subscribe_template` is our remote-interaction URL with a `{uri}`
    placeholder (e.g. `https://host/authorize_interaction?uri={uri}`).
    """
    links: list[JRDLink] = []
    if profile_url is not None:
        links.append({"rel": REL_PROFILE_PAGE, "type": "text/html", "href": profile_url})
    links.append({"rel": REL_SELF, "type": AP_MEDIA_TYPES[0], "href": actor_id})
    if subscribe_template is not None:
        if "{uri}" not in subscribe_template:
            raise ValueError("subscribe_template must contain {uri}")
        links.append({"rel": REL_SUBSCRIBE, "template": subscribe_template})
    aliases = list(dict.fromkeys(url for url in (profile_url, actor_id) if url is not None))
    return {"subject": handle.acct, "aliases": aliases, "links": links}


def build_host_meta(base_url: str) -> str:
    """The XRD served at `/.well-known/host-meta`, pointing to our WebFinger endpoint."""
    template = f"{base_url.rstrip('/')}{WEBFINGER_PATH}?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/xrd+xml" template={quoteattr(template)}/>\n'
        "</XRD>\n"
    )


@dataclass(frozen=True, slots=True)
class WebFingerResult:
    """What a JRD tells us about an account."""

    actor_id: str
    subject: str | None = None
    subscribe_template: str | None = None
    profile_url: str | None = None
    aliases: tuple[str, ...] = ()


def _valid_template(template: object) -> str | None:
    if not isinstance(template, str) or "{uri}" not in template:
        return None
    return template if is_valid_id(template.replace("{uri}", "x")) else None


def read_jrd(doc: Mapping[str, Any]) -> WebFingerResult:
    """Read a JRD: the ActivityPub `self` link is required, the rest is optional.

    Raises InvalidDocument when no `self` link names an ActivityPub actor.
    Links with unusable values are skipped (Friendica lists a dozen rels).
    """
    doc = as_document(doc)
    actor_id = subscribe = profile = None
    best_rank = len(AP_MEDIA_TYPES)
    for link in iter_values(doc.get("links"), limit=64, field="links"):
        if not isinstance(link, Mapping):
            continue
        rel, href, kind = link.get("rel"), link.get("href"), link.get("type")
        if rel == REL_SELF and kind in AP_MEDIA_TYPES and is_valid_id(href):
            rank = AP_MEDIA_TYPES.index(kind)
            if rank < best_rank:
                actor_id, best_rank = href, rank
        elif rel == REL_SUBSCRIBE and subscribe is None:
            subscribe = _valid_template(link.get("template"))
        elif rel == REL_PROFILE_PAGE and profile is None and is_valid_id(href):
            profile = href
    if not isinstance(actor_id, str):
        raise InvalidDocument("JRD has no ActivityPub self link")
    subject = doc.get("subject")
    aliases = iter_values(doc.get("aliases"), limit=64, field="aliases")
    return WebFingerResult(
        actor_id=actor_id,
        subject=subject if isinstance(subject, str) and len(subject) <= 600 else None,
        subscribe_template=subscribe,
        profile_url=profile if isinstance(profile, str) else None,
        aliases=tuple(a for a in aliases if isinstance(a, str) and is_valid_id(a)),
    )


async def _lookup(handle: Handle, get_json: JSONGetter, scheme: str) -> WebFingerResult:
    try:
        return read_jrd(await get_json(handle.webfinger_url(scheme=scheme), accept=_JRD_ACCEPT))
    except (FetchError, InvalidDocument) as exc:
        raise WebFingerError(f"{handle} did not resolve") from exc


async def resolve_handle(
    handle: str | Handle, get_json: JSONGetter, *, scheme: str = "https"
) -> WebFingerResult:
    """Look `handle` up and return its actor id and remote-interaction template.

    When the JRD's subject names another host (WebFinger delegated to a
    different domain), that host is asked too and must name the same actor,
    so a server cannot claim accounts on domains it does not answer for.
    Raises WebFingerError (its `__cause__` tells a fetch failure from a bad JRD).
    """
    wanted = handle if isinstance(handle, Handle) else parse_handle(handle)
    result = await _lookup(wanted, get_json, scheme)
    if result.subject is None:
        return result
    try:
        claimed = parse_handle(result.subject)
    except WebFingerError:
        # A non-acct subject (a URL) claims no account elsewhere: the host we
        # asked answered for itself.
        return result
    if claimed.host == wanted.host:
        return result
    confirmed = await _lookup(claimed, get_json, scheme)
    if confirmed.actor_id != result.actor_id:
        raise WebFingerError(f"{claimed.host} does not confirm {wanted}")
    return confirmed


def interaction_url(template: str, object_url: str) -> str:
    """Fill a remote-interaction template (`...?uri={uri}`) with `object_url`.

    The object URL is percent-encoded as one query value; the result must be
    an http(s) URL (a `javascript:` template would otherwise become a link).
    Raises InvalidDocument for a template or object URL that is not acceptable.
    """
    check_id(object_url)
    if _valid_template(template) is None:
        raise InvalidDocument("not a remote-interaction template")
    filled = template.replace("{uri}", quote(object_url, safe=""))
    origin_of(filled)
    return filled
