"""`fedimob follow|unfollow|following` and `fedimob block add|remove|list`."""

from __future__ import annotations

import argparse
from typing import Any

from activitypub.errors import ActivityPubError
from fedimob.cli.context import CommandContext
from fedimob.cli.output import emit
from fedimob.domain.actors import INSTANCE_ACTOR_NAME, instance_actor
from fedimob.errors import FedimobError, NotFound
from fedimob.federation.context import Federation, make_client
from fedimob.federation.follows import follow_remote, followed_by, unfollow_remote
from fedimob.federation.hosts import block, blocked_domains, unblock
from fedimob.federation.local_actors import local_actor_by_handle
from fedimob.models import Actor, ActorKind


async def _local(name: str) -> Actor:
    """`--as instance`, an association's or a person's username."""
    if name.strip().lower().removeprefix("@") == INSTANCE_ACTOR_NAME:
        return await instance_actor()
    found = await local_actor_by_handle(name)
    if found is None or found.actor.kind == ActorKind.GROUP:
        raise NotFound(f"no local actor {name!r} that can follow (instance, association or user)")
    return found.actor


async def _with_federation(ctx: CommandContext, action: Any) -> Any:
    federation = Federation(ctx.settings, make_client(ctx.settings))
    try:
        return await action(federation)
    except ActivityPubError as error:
        raise FedimobError(f"federation: {error}") from None
    finally:
        await federation.client.aclose()


async def follow_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    follower = await _local(args.as_actor)
    row = await _with_federation(ctx, lambda fed: follow_remote(fed, follower, args.target))
    followed = await row.followed
    emit({"follower": args.as_actor, "followed": followed.ap_id, "state": str(row.state)})


async def unfollow_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    follower = await _local(args.as_actor)
    done = await _with_federation(ctx, lambda fed: unfollow_remote(fed, follower, args.target))
    emit({"follower": args.as_actor, "unfollowed": args.target, "changed": done})


async def following_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    follower = await _local(args.as_actor)
    rows = await followed_by(follower)
    emit(
        [
            {
                "actor": row.followed.ap_id,
                "handle": f"@{row.followed.username}@{row.followed.domain}",
                "state": str(row.state),
            }
            for row in rows
        ]
    )


async def block_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    if args.action == "add":
        row = await block(args.domain, reason=args.reason)
        emit({"domain": row.domain, "blocked": True})
    elif args.action == "remove":
        emit({"domain": args.domain, "blocked": False, "changed": await unblock(args.domain)})
    else:
        emit([{"domain": r.domain, "reason": r.block_reason} for r in await blocked_domains()])


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, handler, text in (
        ("follow", follow_command, "make a local actor follow a remote one (real once accepted)"),
        ("unfollow", unfollow_command, "stop following a remote actor"),
    ):
        parser = commands.add_parser(name, help=text)
        parser.add_argument(
            "--as", dest="as_actor", required=True, metavar="ACTOR",
            help="who follows: 'instance', an association or a user",
        )  # fmt: skip
        parser.add_argument("target", metavar="HANDLE_OR_URL", help="@user@host or an actor URL")
        parser.set_defaults(handler=handler)
    listing = commands.add_parser("following", help="list whom a local actor follows, as JSON")
    listing.add_argument("--as", dest="as_actor", required=True, metavar="ACTOR")
    listing.set_defaults(handler=following_command)

    blocks = commands.add_parser("block", help="domain blocks: refuse a server's traffic")
    actions = blocks.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="block a domain (and its subdomains)")
    add.add_argument("domain")
    add.add_argument("--reason", default="", help="kept for the admins")
    remove = actions.add_parser("remove", help="lift a domain block")
    remove.add_argument("domain")
    actions.add_parser("list", help="list blocked domains as JSON")
    blocks.set_defaults(handler=block_command)
