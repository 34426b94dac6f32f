"""`fedimob reset-password USERNAME`: a reset link for an admin to hand over.

For instances without mail (FEDIMOB_SMTP_URL unset), or for a person whose
mail does not arrive. The link works once, for one hour, like the ones sent
by mail; it also lets an account made without a password choose one.
"""

from __future__ import annotations

import argparse

from fedimob.cli.context import CommandContext
from fedimob.cli.output import emit
from fedimob.clock import utcnow
from fedimob.domain.accounts import get_account
from fedimob.domain.password_reset import LIFETIME, reset_link


async def reset_password(args: argparse.Namespace, ctx: CommandContext) -> None:
    account = await get_account(args.username)
    now = utcnow()
    emit(
        {
            "username": account.username,
            "link": reset_link(ctx.settings, account, now=now),
            "expires_at": (now + LIFETIME).isoformat(timespec="seconds"),
        }
    )


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "reset-password",
        help="print a link that lets a person choose a new password",
        description="Print a one-hour, single-use link to choose a new password for USERNAME "
        "(for instances without FEDIMOB_SMTP_URL). Give it to that person only. "
        "Suspended accounts cannot reset.",
    )
    command.add_argument("username", help="the account's username")
    command.set_defaults(handler=reset_password)
