"""`fedimob user ...` and `fedimob association ...`."""

from __future__ import annotations

import argparse
import getpass
import sys

from fedimob.cli.context import CommandContext
from fedimob.cli.output import emit
from fedimob.domain.accounts import create_account, get_account
from fedimob.domain.associations import create_association
from fedimob.errors import ValidationError


def read_password() -> str:
    """The password from standard input (a prompt only when a person is typing)."""
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise ValidationError("no password on standard input (or pass --no-password)")
    return password


async def user_create(args: argparse.Namespace, ctx: CommandContext) -> None:
    password = None if args.no_password else read_password()
    account = await create_account(
        username=args.username,
        email=args.email,
        password=password,
        display_name=args.display_name,
        language=args.language,
        is_admin=args.admin,
    )
    emit(
        {
            "username": account.username,
            "handle": f"@{account.username}@{ctx.settings.domain}",
            "email": account.email,
            "admin": account.is_admin,
            "can_log_in": account.password_hash is not None,
        }
    )


async def association_create(args: argparse.Namespace, ctx: CommandContext) -> None:
    owner = await get_account(args.owner)
    association = await create_association(
        username=args.username,
        name=args.name,
        owner=owner,
        description=args.description,
        website=args.website,
        region=args.region,
    )
    emit(
        {
            "username": association.username,
            "handle": f"@{association.username}@{ctx.settings.domain}",
            "name": association.name,
            "owner": owner.username,
        }
    )


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="manage local accounts")
    user_commands = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = user_commands.add_parser(
        "create",
        help="create an account (password read from standard input)",
        description="Create a local account. The password is read from standard input "
        '(one line), e.g. `echo "$PASSWORD" | fedimob user create ...`.',
    )
    create.add_argument("--username", required=True, help="its handle: a-z, 0-9, _ . -")
    create.add_argument("--email", required=True)
    create.add_argument("--display-name", default="", help="name shown to others")
    create.add_argument("--language", default="en", help="interface language (default: en)")
    create.add_argument("--admin", action="store_true", help="make the account an instance admin")
    create.add_argument(
        "--no-password", action="store_true", help="create it without a password (cannot log in)"
    )
    create.set_defaults(handler=user_create)

    association = commands.add_parser("association", help="manage associations")
    association_commands = association.add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = association_commands.add_parser("create", help="create an association")
    create.add_argument("--username", required=True, help="its handle: a-z, 0-9, _ . -")
    create.add_argument("--name", required=True, help="its display name")
    create.add_argument("--owner", required=True, help="username of the owning account")
    create.add_argument("--description", default="", help="Markdown")
    create.add_argument("--website", default="")
    create.add_argument("--region", default="")
    create.set_defaults(handler=association_create)
