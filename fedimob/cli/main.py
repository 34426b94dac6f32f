"""Entry point of the `fedimob` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from tortoise.exceptions import DBConnectionError, OperationalError

try:
    import uvloop
except ImportError:  # not on every platform: the standard loop serves too
    uvloop = None  # type: ignore[assignment]

from fedimob import __version__
from fedimob.cli import campaigns, federation, passwords, people, server
from fedimob.cli.context import Command, CommandContext
from fedimob.cli.output import fail
from fedimob.db import Database
from fedimob.errors import FedimobError
from fedimob.settings import Settings

DESCRIPTION = """\
fedimob: federated crowdtiming. Campaigns where people give time instead of money,
joined from any Fediverse account.

Configuration comes from the environment (see README.md): FEDIMOB_URL,
FEDIMOB_DATABASE_URL, FEDIMOB_SECRET_KEY, FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK,
and for mail FEDIMOB_SMTP_URL (smtps://user:pass@host, smtp://... with STARTTLS,
or smtp+plain://host for a local relay; unset: no mail, and on a plain-http
development instance the reset links go to the server log) and FEDIMOB_MAIL_FROM;
behind a reverse proxy, FEDIMOB_TRUSTED_PROXIES (its addresses, so visitors' own
addresses are seen).
Commands that report data print JSON on standard output; errors are one line on
standard error with a non-zero exit status.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fedimob",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fedimob {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    server.add_parsers(commands)
    people.add_parsers(commands)
    passwords.add_parsers(commands)
    campaigns.add_parsers(commands)
    federation.add_parsers(commands)
    return parser


async def run_command(handler: Command, args: argparse.Namespace, settings: Settings) -> int:
    database = Database(settings.database_url)
    context = CommandContext(settings=settings, database=database)
    if not getattr(args, "connect", True):
        return await handler(args, context) or 0
    await database.connect()
    try:
        with database.activate():
            return await handler(args, context) or 0
    finally:
        await database.close()


def event_loop_runner() -> asyncio.Runner:
    """uvloop when installed (uvicorn[standard] brings it): a faster server and worker."""
    if uvloop is None:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
        with event_loop_runner() as runner:
            return runner.run(run_command(args.handler, args, settings))
    except FedimobError as error:
        fail(str(error))
        return 1
    except DBConnectionError as error:
        fail(f"cannot reach the database: {error}")
        return 1
    except OperationalError as error:
        hint = (
            " (has `fedimob migrate` been run?)"
            if "no such table" in str(error) or "does not exist" in str(error)
            else ""
        )
        fail(f"database error: {error}{hint}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
