"""Inbox throughput and latency of `fedimob serve`, beside a baseline measured in the same run.

    .venv/bin/python bench/bench_inbox.py [--postgres URL] [--requests N] [--seconds S]

Signed `Follow`s of a published campaign from many distinct remote actors whose keys are
already cached (rows of the `actor` table, as if fetched earlier) are POSTed to
`/campaigns/<slug>/inbox` of one server process on 127.0.0.1, on SQLite and, when
`--postgres` or FEDIMOB_BENCH_DATABASE_URL is given, on PostgreSQL (in a schema of its own,
dropped at the end). Two servers, one after the other, on the same port and database:

- ``baseline``: bench/inbox_baseline.py, a minimal Starlette app under the same uvicorn
  settings that verifies the same signature (keys loaded in memory at start-up) and commits
  one row per request in its own transaction;
- ``fedimob``: ``fedimob serve --no-worker``.

Every request is unique (its own activity id, digest and signature), draft-cavage signed the
way Mastodon signs (``(request-target) host date digest content-type``, rsa-sha256, RSA-2048)
before any timing, in worker processes; both servers get the very same requests. The client
is raw asyncio on uvloop with httptools, keep-alive connections, in this process. Phases per
server (each bounded in requests and time):

1. warm-up (not counted);
2. saturation: 64 connections, closed loop: accepted (202) per second, p50/p99 latency;
3. fixed rate: 1,000 requests/s offered (open loop, latency measured from the scheduled
   send time, so queueing in the client counts), 64 connections: p50/p99;
4. overload: twice the saturation rate offered over 256 connections: the server should
   answer 503 with Retry-After rather than let requests wait, and nothing may time out.

"wire p99" is measured from the moment a request was written (what the server costs, without
the client's own queue when every connection is busy). Both servers run uvicorn the way
`fedimob serve` does: `Server.serve()` on a uvloop event loop (`--baseline-loop asyncio`
shows the baseline on asyncio's own loop, for comparison only). The baseline and fedimob share the
SQLite file (the baseline writes its own table). A default run (SQLite only) takes about
70 s on 2 cores, a third of it signing.

Targets (issue 4): on SQLite fedimob accepts at least the baseline's rate, with p99 <= 50 ms
at 1,000/s; on PostgreSQL >= 1,000/s; beyond capacity 503 + Retry-After, no timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]
import httptools
import orjson
import uvloop

from activitypub.cavage import sign_cavage
from activitypub.digest import digest_header
from activitypub.keys import (
    KeyPair,
    PrivateKey,
    generate_rsa_key,
    load_private_key_pem,
    private_key_to_pem,
    public_key_to_pem,
)
from fedimob.settings import normalise_database_url

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "inbox_baseline.py"
SLUG = "bench"
CONCURRENCY = 64
FIXED_RATE = 1000.0
OVERLOAD_CONNECTIONS = 256
REQUEST_TIMEOUT = 10.0  # a request unanswered this long counts as a timeout
START_TIMEOUT = 60.0  # a server that does not listen by then is an error
WARMUP = 300
P99_TARGET_MS = 50.0
PG_TARGET = 1000.0


# --- keys, actors and pre-signed requests (worker processes) ------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a signing process needs to rebuild actor i and request j."""

    key_pems: tuple[str, ...]
    actors: int
    hosts: int
    host: str  # the Host header: 127.0.0.1:PORT
    token: str  # makes activity ids unique across runs


def actor_host(plan: Plan, i: int) -> str:
    return f"r{i % plan.hosts}.bench.test"


def actor_id(plan: Plan, i: int) -> str:
    return f"https://{actor_host(plan, i)}/users/u{i}"


def _generate(_: int) -> str:
    return private_key_to_pem(generate_rsa_key(2048))


_plan: Plan | None = None
_keys: list[PrivateKey] = []


def _init_signer(plan: Plan) -> None:
    global _plan, _keys
    _plan = plan
    _keys = [load_private_key_pem(pem) for pem in plan.key_pems]


def _sign(span: tuple[int, int]) -> list[bytes]:
    """Requests span[0] .. span[1]-1: a unique Follow each, signed as Mastodon signs."""
    plan = _plan
    assert plan is not None
    target = f"/campaigns/{SLUG}/inbox"
    followed = f"http://{plan.host}/campaigns/{SLUG}"
    out: list[bytes] = []
    for j in range(*span):
        i = j % plan.actors
        actor = actor_id(plan, i)
        body = orjson.dumps(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"https://{actor_host(plan, i)}/{plan.token}/follows/{j}",
                "type": "Follow",
                "actor": actor,
                "object": followed,
            }
        )
        headers = {
            "host": plan.host,
            "date": formatdate(usegmt=True),
            "digest": digest_header(body),
            "content-type": "application/activity+json",
        }
        private = _keys[i % len(_keys)]
        signature = sign_cavage("POST", target, headers, KeyPair(f"{actor}#main-key", private))
        out.append(
            (
                f"POST {target} HTTP/1.1\r\nHost: {headers['host']}\r\n"
                f"User-Agent: bench_inbox (Mastodon-like)\r\nDate: {headers['date']}\r\n"
                f"Digest: {headers['digest']}\r\nContent-Type: {headers['content-type']}\r\n"
                f"Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    return out


def sign_all(pool: ProcessPoolExecutor, total: int) -> list[bytes]:
    step = 500
    spans = [(start, min(start + step, total)) for start in range(0, total, step)]
    return [request for chunk in pool.map(_sign, spans) for request in chunk]


# --- the client -------------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 client connection, one request at a time (httptools)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.waiter: asyncio.Future[tuple[int, bool]] | None = None
        self.retry_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ConnectionError(f"malformed response: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(ConnectionError("connection closed"))

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after":
            self.retry_after = True

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), self.retry_after))
        if not self.parser.should_keep_alive():
            self.close()

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bool]]:
        if self.transport is None or self.closed:
            raise ConnectionError("connection closed")
        self.retry_after = False
        self.waiter = self.loop.create_future()
        self.transport.write(request)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


async def connect(port: int) -> Connection:
    _, protocol = await asyncio.get_running_loop().create_connection(Connection, "127.0.0.1", port)
    return protocol


@dataclass
class Result:
    """What one phase against one server gave."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # from the scheduled send time
    wire: list[float] = field(default_factory=list)  # from the actual send (no client queue)
    timeouts: int = 0
    errors: int = 0
    refused_without_retry_after: int = 0
    unsent: int = 0
    elapsed: float = 0.0
    offered: float | None = None
    connections: int = CONCURRENCY

    @property
    def accepted_rate(self) -> float:
        return self.statuses[202] / self.elapsed if self.elapsed else 0.0

    @property
    def answered_rate(self) -> float:
        return sum(self.statuses.values()) / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float, *, wire: bool = False) -> float:
        """Nearest-rank percentile of every answered request's latency, in milliseconds."""
        values = self.wire if wire else self.latencies
        if not values:
            return float("nan")
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    def describe_statuses(self) -> str:
        parts = [f"{status}:{n}" for status, n in sorted(self.statuses.items())]
        if self.timeouts:
            parts.append(f"timeout:{self.timeouts}")
        if self.errors:
            parts.append(f"conn-error:{self.errors}")
        if self.unsent:
            parts.append(f"unsent:{self.unsent}")
        return " ".join(parts) or "-"


async def exchange(
    conn: Connection, port: int, request: bytes, since: float, result: Result
) -> Connection:
    """Send one request (reconnecting if needed) and record its answer; the connection to reuse."""
    sent = time.perf_counter()
    try:
        if conn.closed:
            conn = await connect(port)
        status, retry_after = await asyncio.wait_for(conn.send(request), REQUEST_TIMEOUT)
    except TimeoutError:
        result.timeouts += 1
        conn.close()
        return conn
    except OSError:  # ConnectionError included: refused, reset, closed mid-response
        result.errors += 1
        conn.close()
        return conn
    result.statuses[status] += 1
    now = time.perf_counter()
    result.latencies.append(now - since)
    result.wire.append(now - sent)
    if status in (429, 503) and not retry_after:
        result.refused_without_retry_after += 1
    return conn


async def closed_loop(
    port: int, requests: Sequence[bytes], connections: int, seconds: float
) -> Result:
    """`connections` clients each sending the next request when the last one is answered."""
    result = Result(connections=connections)
    pending: Iterator[bytes] = iter(requests)
    conns = await asyncio.gather(*(connect(port) for _ in range(connections)))
    started = time.perf_counter()
    deadline = started + seconds

    async def client(conn: Connection) -> None:
        for request in pending:
            now = time.perf_counter()
            if now > deadline:
                break
            conn = await exchange(conn, port, request, now, result)
        conn.close()

    await asyncio.gather(*(client(conn) for conn in conns))
    result.elapsed = time.perf_counter() - started
    return result


async def open_loop(
    port: int, requests: Sequence[bytes], rate: float, connections: int, seconds: float
) -> Result:
    """Requests scheduled at `rate` whatever the answers; latency counted from the schedule."""
    result = Result(offered=rate, connections=connections)
    count = min(len(requests), int(rate * seconds))
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in await asyncio.gather(*(connect(port) for _ in range(connections))):
        free.put_nowait(conn)
    tasks: set[asyncio.Task[None]] = set()

    async def one(conn: Connection, request: bytes, at: float) -> None:
        free.put_nowait(await exchange(conn, port, request, at, result))

    started = time.perf_counter() + 0.01
    give_up = started + seconds + REQUEST_TIMEOUT
    for index in range(count):
        at = started + index / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if time.perf_counter() > give_up:
            result.unsent = count - index
            break
        conn = await free.get()  # waits at most REQUEST_TIMEOUT: every exchange is bounded
        task = asyncio.create_task(one(conn, requests[index], at))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - started
    while not free.empty():
        free.get_nowait().close()
    return result


@dataclass
class ServerRun:
    """The phases of one server on one database."""

    database: str
    server: str
    saturation: Result
    fixed: Result
    overload: Result
    warmup: Result
    stored: int


async def drive(port: int, requests: Sequence[bytes], args: argparse.Namespace) -> list[Result]:
    warm, sat, fixed = WARMUP, WARMUP + args.requests, WARMUP + args.requests + args.fixed_requests
    warmup = await closed_loop(port, requests[:warm], CONCURRENCY, 30.0)
    saturation = await closed_loop(port, requests[warm:sat], CONCURRENCY, args.seconds)
    fixed_rate = await open_loop(
        port, requests[sat:fixed], FIXED_RATE, CONCURRENCY, args.fixed_seconds
    )
    overload_rate = max(500.0, 2 * saturation.answered_rate)
    overload = await open_loop(
        port, requests[fixed:], overload_rate, OVERLOAD_CONNECTIONS, args.overload_seconds
    )
    return [saturation, fixed_rate, overload, warmup]


# --- servers ----------------------------------------------------------------------------------


_STARTED = time.perf_counter()


def elapsed() -> str:
    return f"{time.perf_counter() - _STARTED:.0f} s"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(argv: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:  # bounded: START_TIMEOUT
        if process.poll() is not None:
            raise RuntimeError(f"{argv[1:3]} exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"{argv[1:3]} did not listen on {port} within {START_TIMEOUT:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def fedimob(args: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fedimob", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"fedimob {' '.join(args[:2])} failed: {done.stderr.strip()}")


def prepare(database_url: str, env: dict[str, str], cwd: Path, plan: Plan) -> None:
    """Migrate, create a published campaign through the CLI, cache the remote actors."""
    fedimob(["migrate"], env, cwd)
    user = ("user", "create", "--username", "bencher", "--email", "bench@bench.test")
    fedimob([*user, "--no-password"], env, cwd)
    association = ("association", "create", "--username", "benchers", "--name", "Bench")
    fedimob([*association, "--owner", "bencher"], env, cwd)
    deadline = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    campaign = ("campaign", "create", "--association", "benchers", "--slug", SLUG)
    goal = ("--goal-kind", "participants", "--goal", "100000", "--deadline", deadline)
    fedimob([*campaign, "--title", "Bench", *goal, "--kind", "digital", "--publish"], env, cwd)
    # In a process of its own: Tortoise caches a model's SQL dialect in the class, so one
    # process cannot write to SQLite and then PostgreSQL.
    spec = cwd / "actors.json"
    spec.write_bytes(orjson.dumps({"url": database_url, "plan": asdict(plan)}))
    done = subprocess.run(
        [sys.executable, __file__, "--cache-actors", str(spec)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"caching the remote actors failed: {done.stderr.strip()[-2000:]}")


async def cache_actors(database_url: str, plan: Plan) -> None:
    """Rows of the `actor` table as `store_remote_actor` leaves them after a key fetch."""
    from fedimob.db import Database
    from fedimob.models import Actor
    from fedimob.models.enums import ActorKind

    public = [public_key_to_pem(load_private_key_pem(pem)) for pem in plan.key_pems]
    now = datetime.now(UTC)
    database = Database(database_url)
    await database.connect()
    try:
        with database.activate():
            rows = []
            for i in range(plan.actors):
                ap_id, host = actor_id(plan, i), actor_host(plan, i)
                rows.append(
                    Actor(
                        ap_id=ap_id,
                        username=f"u{i}",
                        domain=host,
                        kind=ActorKind.PERSON,
                        url=f"https://{host}/@u{i}",
                        inbox_url=f"{ap_id}/inbox",
                        shared_inbox_url=f"https://{host}/inbox",
                        followers_url=f"{ap_id}/followers",
                        key_id=f"{ap_id}#main-key",
                        public_key_pem=public[i % len(public)],
                        fetched_at=now,
                    )
                )
            await Actor.bulk_create(rows, batch_size=500)
    finally:
        await database.close()


def count_rows(database_url: str, table: str) -> int:
    if database_url.startswith("postgres"):
        return asyncio.run(_pg_count(database_url, table))
    path = database_url.split("://", 1)[1].split("?", 1)[0]
    with sqlite3.connect(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def pg_dsn(url: str) -> str:
    parts = urlsplit(normalise_database_url(url))
    return f"postgresql://{parts.netloc}{parts.path}"


async def _pg_count(url: str, table: str) -> int:
    schema = url.rsplit("schema=", 1)[1]
    connection = await asyncpg.connect(pg_dsn(url))
    try:
        return int(await connection.fetchval(f'SELECT count(*) FROM "{schema}".{table}'))  # noqa: S608
    finally:
        await connection.close()


async def _pg_schema(url: str, sql: str) -> None:
    connection = await asyncpg.connect(pg_dsn(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def bench_database(
    label: str,
    database_url: str,
    port: int,
    workdir: Path,
    plan: Plan,
    requests: Sequence[bytes],
    args: argparse.Namespace,
) -> list[ServerRun]:
    """Prepare one database, then run the baseline and fedimob against it, one at a time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIMOB_")}
    env |= {
        "FEDIMOB_URL": f"http://{plan.host}",
        "FEDIMOB_DATABASE_URL": database_url,
        "FEDIMOB_SECRET_KEY": secrets.token_urlsafe(48),
        "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1",
    }
    prepare(database_url, env, workdir, plan)
    baseline = [sys.executable, str(BASELINE), "--port", str(port), "--database", database_url]
    servers = {
        "baseline": (
            [*baseline, "--domain", plan.host, "--loop", args.baseline_loop],
            "bench_baseline_inbox",
        ),
        "fedimob": (
            [sys.executable, "-m", "fedimob", "serve", "--port", str(port), "--no-worker"],
            "inbox_item",
        ),
    }
    runs = []
    for name, (argv, table) in servers.items():
        print(f"  {label}: {name}... ({elapsed()})", file=sys.stderr, flush=True)
        process = start(argv, env, port, workdir / f"{label}-{name}.log")
        try:
            phases = uvloop.run(drive(port, requests, args))
        finally:
            stop(process)
        saturation, fixed, overload, warmup = phases
        stored = count_rows(database_url, table)
        runs.append(ServerRun(label, name, saturation, fixed, overload, warmup, stored))
    return runs


# --- report -----------------------------------------------------------------------------------


def revision() -> str:
    """The commit measured, and whether the app differs from it (the bench measures the tree)."""
    git = ["git", "-C", str(HERE.parent)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "fedimob", "activitypub", "web"],
        capture_output=True,
        text=True,
    )
    if head.returncode:
        return "unknown revision"
    return head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def report(runs: list[ServerRun], plan: Plan, args: argparse.Namespace) -> None:
    print(f"fedimob at {revision()}")
    print(
        f"inbox: signed Follows (draft-cavage rsa-sha256, RSA-2048) from {plan.actors} actors "
        f"on {plan.hosts} hosts ({len(plan.key_pems)} distinct keys), keys cached, 127.0.0.1"
    )
    print(
        f"client: uvloop + httptools, keep-alive; servers: one uvicorn process each; "
        f"baseline loop: {args.baseline_loop} (keep it what `fedimob serve` runs on)"
    )
    header = f"  {'db':8} {'server':9} {'phase':22} {'202/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    print(header + f" {'max ms':>7} {'wire p99':>8}  statuses")
    for run in runs:
        phases = (
            (f"saturation {run.saturation.connections} conns", run.saturation),
            (f"{FIXED_RATE:,.0f}/s offered", run.fixed),
            (f"overload {run.overload.offered or 0:,.0f}/s, {OVERLOAD_CONNECTIONS}c", run.overload),
        )
        for name, result in phases:
            print(
                f"  {run.database:8} {run.server:9} {name:22} {result.accepted_rate:7.0f} "
                f"{result.percentile(0.50):7.1f} {result.percentile(0.99):7.1f} "
                f"{result.percentile(1.0):7.0f} {result.percentile(0.99, wire=True):8.1f}  "
                f"{result.describe_statuses()}"
            )
        phases_all = (run.warmup, run.saturation, run.fixed, run.overload)
        accepted = sum(r.statuses[202] for r in phases_all)
        print(
            f"  {'':8} {run.server:9} rows stored {run.stored}, 202 answers {accepted} "
            f"(warm-up included)"
        )
    print("summary")
    by_key = {(run.database, run.server): run for run in runs}
    for database in dict.fromkeys(run.database for run in runs):
        base, ours = by_key[(database, "baseline")], by_key[(database, "fedimob")]
        ratio = ours.saturation.accepted_rate / max(base.saturation.accepted_rate, 1e-9)
        print(
            f"  {database}: fedimob {ours.saturation.accepted_rate:,.0f}/s = {ratio:.0%} of the "
            f"baseline's {base.saturation.accepted_rate:,.0f}/s; p99 at 1,000/s "
            f"{ours.fixed.percentile(0.99):.1f} ms (baseline {base.fixed.percentile(0.99):.1f} ms)"
        )
        if database == "sqlite":
            checks = [
                ("rate >= baseline", ratio >= 1.0),
                (f"p99 at 1,000/s <= {P99_TARGET_MS:.0f} ms", _p99_ok(ours.fixed)),
            ]
        else:
            checks = [(f"rate >= {PG_TARGET:,.0f}/s", ours.saturation.accepted_rate >= PG_TARGET)]
        overload = ours.overload
        checks.append(("overload: no timeouts", overload.timeouts == 0 and overload.errors == 0))
        checks.append(
            ("overload: 503 + Retry-After", overload.statuses[503] > 0 and _retry_after_ok(ours))
        )
        for name, ok in checks:
            print(f"    {'meets ' if ok else 'MISSES'} {name}")


def _p99_ok(result: Result) -> bool:
    answered_all = result.timeouts == 0 and result.errors == 0 and result.unsent == 0
    return answered_all and result.percentile(0.99) <= P99_TARGET_MS


def _retry_after_ok(run: ServerRun) -> bool:
    phases = (run.saturation, run.fixed, run.overload)
    return all(r.refused_without_retry_after == 0 for r in phases)


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database")
    parser.add_argument("--requests", type=int, default=16000, help="saturation requests")
    parser.add_argument("--seconds", type=float, default=8.0, help="saturation time limit")
    parser.add_argument("--fixed-seconds", type=float, default=5.0)
    parser.add_argument("--overload-seconds", type=float, default=3.0)
    parser.add_argument("--overload-requests", type=int, default=8000)
    parser.add_argument("--actors", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100, help="actors spread over N domains")
    parser.add_argument("--keys", type=int, default=200, help="distinct RSA keys among actors")
    parser.add_argument("--baseline-loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--cache-actors", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cache_actors:
        spec = orjson.loads(Path(args.cache_actors).read_bytes())
        fields = spec["plan"] | {"key_pems": tuple(spec["plan"]["key_pems"])}
        asyncio.run(cache_actors(spec["url"], Plan(**fields)))
        return
    args.fixed_requests = int(FIXED_RATE * args.fixed_seconds)
    postgres = args.postgres or os.environ.get("FEDIMOB_BENCH_DATABASE_URL")
    port = free_port()
    started = time.perf_counter()
    total = WARMUP + args.requests + args.fixed_requests + args.overload_requests
    with (
        tempfile.TemporaryDirectory(prefix="fedimob-bench-inbox-") as tmp,
        ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool,
    ):
        workdir = Path(tmp)
        print(f"  {args.keys} RSA-2048 keys, {total} signed requests...", file=sys.stderr)
        pems = tuple(pool.map(_generate, range(args.keys)))
        plan = Plan(pems, args.actors, args.hosts, f"127.0.0.1:{port}", uuid.uuid4().hex[:8])
        with ProcessPoolExecutor(
            max_workers=os.cpu_count() or 2, initializer=_init_signer, initargs=(plan,)
        ) as signers:
            requests = sign_all(signers, total)
        print(f"  signed ({elapsed()})", file=sys.stderr, flush=True)
        sqlite_url = normalise_database_url(f"sqlite://{workdir / 'fedimob.sqlite3'}")
        runs = bench_database("sqlite", sqlite_url, port, workdir, plan, requests, args)
        if postgres:
            schema = f"fedimob_bench_{uuid.uuid4().hex[:12]}"
            base = normalise_database_url(postgres)
            url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
            asyncio.run(_pg_schema(base, f'CREATE SCHEMA "{schema}"'))
            try:
                runs += bench_database("postgres", url, port, workdir, plan, requests, args)
            finally:
                asyncio.run(_pg_schema(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    report(runs, plan, args)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
