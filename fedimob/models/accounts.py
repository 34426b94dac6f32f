"""People: local accounts, the actors that participate, and the handle namespace."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from fedimob.models.enums import ActorKind, HandleKind


class Actor(Model):
    """An ActivityPub actor, local or remote.

    Local actors (`domain = None`) are the instance itself, people with an
    `Account`, associations and campaigns. Their ids are derived from the
    instance URL and their private keys are kept here. Remote actors
    (Mastodon, Mobilizon, another fedimob...) are a cache of their documents,
    identified by `ap_id`. Participations and follows point here, so local and
    remote people count the same way.
    """

    id = fields.BigIntField(primary_key=True)
    ap_id = fields.CharField(max_length=2048, unique=True, null=True)
    username = fields.CharField(max_length=255)
    # Host and port of a remote actor's id (253 + ":65535"); None for local actors.
    domain = fields.CharField(max_length=300, null=True, db_index=True)
    display_name = fields.CharField(max_length=200, default="")
    kind = fields.CharEnumField(ActorKind, max_length=20, default=ActorKind.PERSON)
    summary = fields.TextField(default="")
    # Remote actors' endpoints, as their document gives them.
    url = fields.CharField(max_length=2048, default="")
    icon_url = fields.CharField(max_length=2048, default="")
    inbox_url = fields.CharField(max_length=2048, default="")
    shared_inbox_url = fields.CharField(max_length=2048, default="")
    followers_url = fields.CharField(max_length=2048, default="")
    # Keys: remote actors' public key (with its id); local actors' key pair.
    key_id = fields.CharField(max_length=2048, null=True, db_index=True)
    public_key_pem = fields.TextField(default="")
    private_key_pem = fields.TextField(default="")
    keys_rotated_at = fields.DatetimeField(null=True)
    fetched_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "actor"

    @property
    def is_local(self) -> bool:
        return self.domain is None


class Account(Model):
    """A local person who can log in: volunteer, organiser, admin."""

    id = fields.BigIntField(primary_key=True)
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "models.Actor", related_name="account", on_delete=fields.CASCADE
    )
    username = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, unique=True)
    # None: the account cannot log in with a password (set one to enable it).
    password_hash = fields.CharField(max_length=255, null=True)
    display_name = fields.CharField(max_length=200, default="")
    language = fields.CharField(max_length=16, default="en")
    is_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"


class Handle(Model):
    """One row per local name, so users, associations and campaigns never collide.

    All three become `@name@domain` on the Fediverse. A unique key here makes
    the check atomic instead of a race between three tables.
    """

    name = fields.CharField(max_length=64, primary_key=True)
    kind = fields.CharEnumField(HandleKind, max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "handle"
