"""Joining from one's own Fediverse account: where to send the visitor to vote.

A visitor types `@you@your.server`. WebFinger on their server (through the
safe client: bounded time and size, public addresses only unless
FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK) gives their remote-interaction template
(`http://ostatus.org/schema/1.0/subscribe`); filled with the campaign's join
poll, it opens that poll on their server, where one vote for the time they
give is their participation (see `votes.py`). A server that does not
advertise the template gets Mastodon's `/authorize_interaction?uri=`, which
Mastodon and most of its kin understand.

Refusals are `InteractionUnavailable`, a `FedimobError` whose `reason` says
what the visitor can do about it:

    invalid      not a `user@server` address
    local        an account of this instance: log in instead
    refused      a server we may not ask (a private or loopback address...)
    unreachable  no answer in time, no connection, a server error
    unknown      the server does not know this account
    unusable     the answer is not a Fediverse account document
"""

from __future__ import annotations

from dataclasses import dataclass

from activitypub.errors import (
    FetchTimeout,
    HTTPStatusError,
    InvalidDocument,
    NetworkError,
    UnsafeURL,
    WebFingerError,
)
from activitypub.ids import origin_of
from activitypub.webfinger import interaction_url, parse_handle, resolve_handle
from fedimob.errors import FedimobError
from fedimob.federation.context import Federation
from fedimob.federation.polls import poll_id

# Mastodon's remote-interaction page, for servers whose WebFinger gives no template.
FALLBACK_PATH = "/authorize_interaction?uri={uri}"


class InteractionUnavailable(FedimobError):
    """The visitor's server cannot be sent to; `reason` is a code of the module docstring."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RemoteInteraction:
    """Where to send the visitor: `url` on `server`, for the account `handle`."""

    handle: str
    server: str
    url: str
    fallback: bool  # the server gave no template: Mastodon's path was assumed


def _reason(cause: BaseException | None) -> str:
    if isinstance(cause, UnsafeURL):
        return "refused"
    if isinstance(cause, FetchTimeout | NetworkError):
        return "unreachable"
    if isinstance(cause, HTTPStatusError):
        return "unknown" if cause.status_code in {404, 410} else "unreachable"
    return "unknown" if cause is None else "unusable"


def fallback_template(actor_id: str) -> str:
    """Mastodon's remote-interaction template on the server that hosts `actor_id`."""
    return f"{origin_of(actor_id)}{FALLBACK_PATH}"


async def poll_interaction(federation: Federation, slug: str, typed: str) -> RemoteInteraction:
    """Where `typed` (`@you@your.server`) votes in campaign `slug`'s join poll."""
    try:
        handle = parse_handle(typed)
    except WebFingerError:
        raise InteractionUnavailable("not a Fediverse address", reason="invalid") from None
    if handle.host == federation.settings.domain:
        raise InteractionUnavailable(f"{handle} is an account of ours", reason="local")
    scheme = "http" if federation.settings.dev_allow_private_network else "https"
    try:
        found = await resolve_handle(handle, federation.client.get_json, scheme=scheme)
    except WebFingerError as error:
        reason = _reason(error.__cause__)
        raise InteractionUnavailable(f"{handle} did not resolve", reason=reason) from None
    template = found.subscribe_template or fallback_template(found.actor_id)
    try:
        url = interaction_url(template, poll_id(federation.urls, slug))
    except InvalidDocument:
        raise InteractionUnavailable(f"{handle}: no usable address", reason="unusable") from None
    return RemoteInteraction(
        handle=str(handle),
        server=str(origin_of(url)).partition("://")[2],
        url=url,
        fallback=found.subscribe_template is None,
    )
