"""`fedimob campaign ...`, `fedimob join` and `fedimob leave`."""

from __future__ import annotations

import argparse
from datetime import datetime

from fedimob.cli.context import CommandContext
from fedimob.cli.output import emit
from fedimob.clock import parse_datetime
from fedimob.domain.accounts import get_account
from fedimob.domain.associations import get_association
from fedimob.domain.campaign_input import CampaignInput
from fedimob.domain.campaigns import (
    cancel_campaign,
    create_campaign,
    edit_campaign,
    get_campaign,
    publish_campaign,
)
from fedimob.domain.participation import join, leave
from fedimob.domain.summaries import campaign_summary, participation_summary
from fedimob.federation.remote_joins import join_remote, leave_remote, remote_campaign
from fedimob.federation.urls import LocalUrls
from fedimob.models import CampaignKind, GoalKind, JoinMode, JoinVia, RemoteJoin


def iso_datetime(value: str) -> datetime:
    try:
        return parse_datetime(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {value!r}") from None


async def campaign_create(args: argparse.Namespace, ctx: CommandContext) -> None:
    association = await get_association(args.association)
    data = CampaignInput(
        slug=args.slug,
        title=args.title,
        goal_kind=GoalKind(args.goal_kind),
        goal_target=args.goal,
        deadline=args.deadline,
        summary=args.summary,
        description=args.description,
        categories=args.category,
        language=args.language,
        kind=CampaignKind(args.kind),
        address=args.address,
        latitude=args.latitude,
        longitude=args.longitude,
        starts_at=args.starts_at,
        ends_at=args.ends_at,
        instructions_url=args.instructions_url,
        impact_unit=args.impact_unit,
        pledge_options=args.pledge,
        capacity=args.capacity,
        join_mode=JoinMode(args.join_mode),
    )
    campaign = await create_campaign(association, data, by=None, publish=args.publish)
    emit(await campaign_summary(campaign, ctx.settings))


async def campaign_show(args: argparse.Namespace, ctx: CommandContext) -> None:
    emit(await campaign_summary(await get_campaign(args.slug), ctx.settings))


async def campaign_edit(args: argparse.Namespace, ctx: CommandContext) -> None:
    campaign = await edit_campaign(
        await get_campaign(args.slug), title=args.title, summary=args.summary,
        description=args.description, deadline=args.deadline,
    )  # fmt: skip
    emit(await campaign_summary(campaign, ctx.settings))


async def campaign_publish(args: argparse.Namespace, ctx: CommandContext) -> None:
    campaign = await publish_campaign(await get_campaign(args.slug))
    emit(await campaign_summary(campaign, ctx.settings))


async def campaign_cancel(args: argparse.Namespace, ctx: CommandContext) -> None:
    campaign = await cancel_campaign(await get_campaign(args.slug))
    emit(await campaign_summary(campaign, ctx.settings))


def _is_remote(campaign: str) -> bool:
    return campaign.startswith(("https://", "http://"))


def _remote_summary(row: RemoteJoin, campaign: str) -> dict[str, object]:
    return {"campaign": campaign, "state": str(row.state), "pledge_minutes": row.pledge_minutes}


async def join_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    account = await get_account(args.user)
    if _is_remote(args.campaign):
        # Another instance's campaign shown here: its home instance answers later.
        row = await join_remote(
            LocalUrls(ctx.settings), await account.actor, await remote_campaign(args.campaign),
            pledge_minutes=args.pledge,
        )  # fmt: skip
        emit(_remote_summary(row, args.campaign))
        return
    campaign = await get_campaign(args.campaign)
    change = await join(
        campaign,
        await account.actor,
        via=JoinVia.CLI,
        pledge_minutes=args.pledge,
        listed=args.listed,
    )
    emit({**await participation_summary(change.participation), "changed": change.changed})


async def leave_command(args: argparse.Namespace, ctx: CommandContext) -> None:
    account = await get_account(args.user)
    if _is_remote(args.campaign):
        row = await leave_remote(await account.actor, await remote_campaign(args.campaign))
        emit(_remote_summary(row, args.campaign))
        return
    change = await leave(await get_campaign(args.campaign), await account.actor)
    emit({**await participation_summary(change.participation), "changed": change.changed})


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def _create_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    create = actions.add_parser(
        "create", help="create a campaign (a draft unless --publish); prints it as JSON"
    )
    create.add_argument("--association", required=True, help="username of the association")
    create.add_argument("--slug", required=True, help="its handle: a-z, 0-9, _ . -")
    create.add_argument("--title", required=True)
    create.add_argument("--goal-kind", required=True, choices=[g.value for g in GoalKind])
    create.add_argument("--goal", required=True, type=positive_int, help="the target number")
    create.add_argument(
        "--deadline",
        required=True,
        type=iso_datetime,
        help="ISO 8601; UTC if no offset (the web form reads the instance's time zone)",
    )
    create.add_argument("--kind", default="digital", choices=[k.value for k in CampaignKind])
    create.add_argument(
        "--pledge", action="append", type=positive_int, default=[], metavar="MINUTES",
        help="a pledge option in minutes (repeatable; default 60)",
    )  # fmt: skip
    create.add_argument("--capacity", type=positive_int, help="most participants accepted")
    create.add_argument("--join-mode", default="free", choices=[m.value for m in JoinMode])
    create.add_argument("--summary", default="", help="one or two plain sentences")
    create.add_argument("--description", default="", help="Markdown")
    create.add_argument("--category", action="append", default=[], help="repeatable")
    create.add_argument("--language", default="en")
    create.add_argument("--impact-unit", default="", help='e.g. "e-mails deleted"')
    create.add_argument("--address", default="", help="physical: where")
    create.add_argument("--latitude", type=float)
    create.add_argument("--longitude", type=float)
    create.add_argument(
        "--starts-at",
        type=iso_datetime,
        help="physical: when the action starts (ISO 8601; UTC if no offset)",
    )
    create.add_argument(
        "--ends-at", type=iso_datetime, help="physical: when it ends (ISO 8601; UTC if no offset)"
    )
    create.add_argument("--instructions-url", default="", help="digital: how to do it")
    create.add_argument("--publish", action="store_true", help="publish it at once")
    create.set_defaults(handler=campaign_create)


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    campaign = commands.add_parser("campaign", help="create, show, publish and cancel campaigns")
    actions = campaign.add_subparsers(dest="action", required=True, metavar="ACTION")
    _create_parser(actions)
    edit = actions.add_parser("edit", help="change a campaign's text or deadline; prints it")
    edit.add_argument("slug")
    edit.add_argument("--title")
    edit.add_argument("--summary")
    edit.add_argument("--description", help="Markdown")
    edit.add_argument(
        "--deadline",
        type=iso_datetime,
        help="ISO 8601; UTC if no offset (the web form reads the instance's time zone)",
    )
    edit.set_defaults(handler=campaign_edit)
    for name, handler, text in (
        ("show", campaign_show, "print a campaign and its counts as JSON"),
        ("publish", campaign_publish, "publish a draft"),
        ("cancel", campaign_cancel, "cancel a draft or a running campaign"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("slug")
        action.set_defaults(handler=handler)

    joiner = commands.add_parser("join", help="make a local user join a campaign")
    joiner.add_argument("--user", required=True)
    joiner.add_argument(
        "--campaign",
        required=True,
        help="the campaign's slug, or the Event URL of another instance's campaign shown here",
    )
    joiner.add_argument("--pledge", type=positive_int, metavar="MINUTES", help="time pledged")
    joiner.add_argument("--listed", action="store_true", help="show the name publicly")
    joiner.set_defaults(handler=join_command)

    leaver = commands.add_parser("leave", help="withdraw a local user from a campaign")
    leaver.add_argument("--user", required=True)
    leaver.add_argument(
        "--campaign", required=True, help="the campaign's slug, or another instance's Event URL"
    )
    leaver.set_defaults(handler=leave_command)
