"""Associations and their members' roles."""

from __future__ import annotations

from urllib.parse import urlsplit

from fedimob.db import in_transaction
from fedimob.domain.actors import create_local_actor, new_key_pems
from fedimob.domain.names import claim_handle, lookup_name, normalise_handle
from fedimob.domain.text import render_markdown
from fedimob.errors import NotFound, PermissionDenied, ValidationError
from fedimob.models import (
    Account,
    ActorKind,
    Association,
    HandleKind,
    MemberRole,
    Membership,
)


def normalise_web_url(url: str, *, field: str) -> str:
    """An http(s) URL or the empty string."""
    candidate = url.strip()
    if not candidate:
        return ""
    try:
        parts = urlsplit(candidate)
    except ValueError:  # "http://[" and other broken hosts
        raise ValidationError(f"{field} must be an http(s) URL", field=field) from None
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(candidate) > 2048:
        raise ValidationError(f"{field} must be an http(s) URL", field=field)
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in candidate):
        raise ValidationError(f"{field} contains control characters", field=field)
    return candidate


async def create_association(
    *,
    username: str,
    name: str,
    owner: Account,
    description: str = "",
    website: str = "",
    region: str = "",
) -> Association:
    handle = normalise_handle(username)
    title = name.strip()
    if not title or len(title) > 200:
        raise ValidationError("the name must be 1 to 200 characters long", field="name")
    if len(region) > 200:
        raise ValidationError("the region is too long (200 at most)", field="region")
    site = normalise_web_url(website, field="website")
    description_html = render_markdown(description)
    keys = await new_key_pems()
    async with in_transaction():
        await claim_handle(handle, HandleKind.ASSOCIATION)
        actor = await create_local_actor(
            handle, ActorKind.ORGANIZATION, keys=keys, display_name=title, summary=description_html
        )
        association = await Association.create(
            actor=actor,
            username=handle,
            name=title,
            description_md=description,
            description_html=description_html,
            website=site,
            region=region.strip(),
        )
        await Membership.create(association=association, account=owner, role=MemberRole.OWNER)
    return association


async def get_association(username: str) -> Association:
    name = lookup_name(username)
    association = await Association.get_or_none(username=name) if name else None
    if association is None:
        raise NotFound(f"no association named {username!r}")
    return association


async def add_member(association: Association, account: Account, role: MemberRole) -> Membership:
    membership, created = await Membership.get_or_create(
        association=association, account=account, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        await membership.save(update_fields=["role"])
    return membership


async def role_of(account: Account, association_id: int) -> MemberRole | None:
    membership = await Membership.get_or_none(association_id=association_id, account=account)
    return membership.role if membership else None


async def require_organiser(account: Account, association_id: int) -> MemberRole:
    """The account's role in the association; PermissionDenied if it has none."""
    role = await role_of(account, association_id)
    if role is None and not account.is_admin:
        raise PermissionDenied("only the association's organisers may do this")
    return role or MemberRole.ORGANISER


async def has_memberships(account_id: int) -> bool:
    """True when the person belongs to at least one association (the web shows a dashboard)."""
    return await Membership.exists(account_id=account_id)
