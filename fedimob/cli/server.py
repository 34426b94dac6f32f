"""`fedimob serve`, `worker`, `migrate` and `demo`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import uvicorn

from fedimob.app import create_app
from fedimob.cli.context import CommandContext
from fedimob.cli.output import emit
from fedimob.demo import database_is_empty, load_demo
from fedimob.errors import Conflict
from fedimob.federation.context import Federation, make_client
from fedimob.federation.retention import purge_inbox
from fedimob.jobs.kinds import default_registry
from fedimob.jobs.worker import Worker


async def serve(args: argparse.Namespace, ctx: CommandContext) -> None:
    if ctx.settings.dev_allow_private_network:
        print(
            "fedimob: WARNING: FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK is on: plain http and "
            "private addresses are allowed. Never use this in production.",
            file=sys.stderr,
        )
    app = create_app(ctx.settings, database=ctx.database, run_worker=not args.no_worker)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=ctx.settings.trusted_proxies,
        server_header=False,
        access_log=args.access_log,
        log_level="info",
    )
    print(f"fedimob: serving {ctx.settings.url} on http://{args.host}:{args.port}", file=sys.stderr)
    await uvicorn.Server(config).serve()


async def work(args: argparse.Namespace, ctx: CommandContext) -> None:
    federation = Federation(ctx.settings, make_client(ctx.settings))
    worker = Worker(
        default_registry(federation),
        job_timeout=ctx.settings.job_timeout_seconds,
        poll_seconds=ctx.settings.worker_poll_seconds,
        maintenance=[purge_inbox],
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, worker.stop)
    try:
        await worker.run(max_jobs=args.max_jobs)
    finally:
        await federation.client.aclose()
    emit({"worker": worker.worker_id, "done": worker.total.done, "retried": worker.total.retried,
          "failed": worker.total.failed})  # fmt: skip


async def migrate(args: argparse.Namespace, ctx: CommandContext) -> None:
    await ctx.database.migrate()
    print("fedimob: database schema is up to date", file=sys.stderr)


async def demo(args: argparse.Namespace, ctx: CommandContext) -> None:
    if not await database_is_empty():
        if args.if_empty:
            print("fedimob: the database has data already; demo not loaded", file=sys.stderr)
            return
        raise Conflict("the database is not empty; demo data goes into an empty database only")
    loaded = await load_demo(ctx.settings)
    emit(loaded)
    for account in loaded["log_in_as"]:
        print(f"fedimob: demo: log in at {loaded['url']}/login as {account['username']}, "
              f"password {account['password']} ({account['role']})", file=sys.stderr)  # fmt: skip


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = commands.add_parser("serve", help="serve the web site and the federation endpoints")
    server.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    server.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    server.add_argument(
        "--no-worker", action="store_true", help="do not run a job worker in this process"
    )
    server.add_argument("--access-log", action="store_true", help="log every request")
    server.set_defaults(handler=serve, connect=False)  # the app's lifespan connects

    worker = commands.add_parser("worker", help="run a job worker (as many as you like)")
    worker.add_argument(
        "--max-jobs", type=int, metavar="N", help="exit after running N jobs (scripts, tests)"
    )
    worker.set_defaults(handler=work)

    migrator = commands.add_parser("migrate", help="apply database migrations")
    migrator.set_defaults(handler=migrate, connect=False)

    demo_parser = commands.add_parser("demo", help="load demo data into an empty database")
    demo_parser.add_argument(
        "--if-empty", action="store_true", help="do nothing (and succeed) if there is data"
    )
    demo_parser.set_defaults(handler=demo)
