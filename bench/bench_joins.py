"""Joins of one campaign: inbox rate, commit rate, and what the campaign's followers receive.

    .venv/bin/python bench/bench_joins.py [--postgres URL] [--actors 5000] [--interval 10]

5,000 distinct remote actors join ONE published campaign of one `fedimob serve` process, its
worker running in-process as in production: half by Mastodon-shaped poll votes
(`Create{Note}` with `name` = an option label, `inReplyTo` = the campaign's poll, no
content), half by `Join{Event}`, interleaved. Every request is unique and signed before any
timing (draft-cavage rsa-sha256, RSA-2048, the way Mastodon signs), then POSTed once to
`/campaigns/<slug>/inbox` over 64 keep-alive connections from this process (closed loop; a
429 or 503 is sent again after a pause, as a peer would).

Fake peers run in a child process on loopback addresses and answer 202 to every POST,
recording what they get: the joiners' servers (127.0.0.10 and up, one port each) and three
follower servers (127.0.0.2-4). Every remote actor is cached in the `actor` table before the
server starts, as bench_inbox.py does, so no key is fetched (a GET reaching a peer is
counted and printed). Before the measured phase the follower servers follow the campaign,
its association, or both, with signed Follows, and the server's Accepts reach them.

Measured, with FEDIMOB_COUNT_UPDATE_SECONDS = --interval (10 s):

1. joins accepted per second: N / (last 202 - first request);
2. joins committed per second: N / (the campaign's participants_count, read from the
   database every 0.2 s, reaching N - first request);
3. requests received by each follower inbox per interval (windows of --interval seconds
   from the first request). The design is at most 2 per interval: one `Update{Event}` and
   one `Update{Question}`, coalesced per campaign; the confirmations (Accept{Join}, direct
   messages) go to the joiners' own servers. Printed, not asserted.

For context: bench/inbox_baseline.py's raw inbox rate for the very same requests (signature
verified, one row committed per request, nothing processed), when the joiners' confirmations
reached their servers, and cross-checks (rows by path, the Event's participantCount, the
poll's votersCount, failed jobs). SQLite by default; PostgreSQL as well with --postgres or
FEDIMOB_BENCH_DATABASE_URL (in a schema of its own, dropped at the end). Waits are bounded:
commits within 600 s, the last deliveries within 600 s of the first join (what has not
arrived by then is reported as such). A default run (SQLite only) takes about three minutes
on 2 idle cores, far longer on a loaded machine: the load average is printed with each run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson
import uvloop
from bench_inbox import (
    Connection,
    connect,
    elapsed,
    fedimob,
    free_port,
    pg_dsn,
    revision,
    start,
    stop,
)
from bench_inbox import _generate as generate_key_pem
from bench_inbox import _pg_schema as pg_schema

from activitypub.cavage import sign_cavage
from activitypub.digest import digest_header
from activitypub.keys import KeyPair, PrivateKey, load_private_key_pem, public_key_to_pem
from fedimob.federation.polls import option_label
from fedimob.settings import normalise_database_url

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "inbox_baseline.py"
SLUG = "bench"
ASSOCIATION = "benchers"
PLEDGES = (60, 120, 240)
LANGUAGE = "en"
CONNECTIONS = 64
REQUEST_TIMEOUT = 10.0  # an unanswered request is sent again after this long
SEND_TIMEOUT = 300.0  # the whole sending phase
RETRY_PAUSE = 0.5  # after a 429 or 503
COMMIT_TIMEOUT = 600.0  # participants_count must reach N within this, from the start
DELIVERY_TIMEOUT = 600.0  # the last Updates and every confirmation, from the start
POLL_EVERY = 0.2
PER_INTERVAL_DESIGN = 2  # Update{Event} + Update{Question}
# Follower server k follows these of our actors (the third follows both: it must be
# counted once per activity, through its shared inbox).
FOLLOWS = ((0, "campaign"), (1, "association"), (2, "campaign"), (2, "association"))
FOLLOWER_SERVERS = 3


# --- who is who --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a signing process needs to rebuild any actor and request."""

    key_pems: tuple[str, ...]
    joiners: tuple[str, ...]  # origins of the joiners' servers: http://127.0.0.10:PORT ...
    followers: tuple[str, ...]  # origins of the follower servers
    host: str  # our Host header: 127.0.0.1:PORT
    labels: tuple[str, ...]  # the poll's option labels
    actors: int
    token: str  # makes activity ids unique across runs

    @property
    def base(self) -> str:
        return f"http://{self.host}"

    def ours(self, kind: str) -> str:
        return f"{self.base}/campaigns/{SLUG}" if kind == "campaign" else self.association

    @property
    def association(self) -> str:
        return f"{self.base}/associations/{ASSOCIATION}"


def joiner_id(plan: Plan, i: int) -> str:
    return f"{plan.joiners[i % len(plan.joiners)]}/users/u{i}"


def follower_id(plan: Plan, k: int) -> str:
    return f"{plan.followers[k]}/users/follower"


def vote(plan: Plan, i: int) -> dict[str, Any]:
    """A poll vote exactly as Mastodon's VoteSerializer sends it."""
    actor, campaign = joiner_id(plan, i), plan.ours("campaign")
    note = f"{actor}#votes/{plan.token}{i}"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note}/activity",
        "type": "Create",
        "actor": actor,
        "to": campaign,
        "object": {
            "id": note,
            "type": "Note",
            "name": plan.labels[i % len(plan.labels)],
            "attributedTo": actor,
            "to": campaign,
            "inReplyTo": f"{campaign}/poll",
        },
    }


def join(plan: Plan, i: int) -> dict[str, Any]:
    """A `Join` of the campaign's Event, as Mobilizon sends one."""
    actor = joiner_id(plan, i)
    origin = plan.joiners[i % len(plan.joiners)]
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{origin}/join/event/{plan.token}-{i}",
        "type": "Join",
        "actor": actor,
        "object": f"{plan.ours('campaign')}/event",
        "participationMessage": "",
    }


def follow(plan: Plan, k: int, kind: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{plan.followers[k]}/follows/{plan.token}-{kind}",
        "type": "Follow",
        "actor": follower_id(plan, k),
        "object": plan.ours(kind),
    }


def signed_post(plan: Plan, target: str, body: bytes, actor: str, key: PrivateKey) -> bytes:
    """The raw HTTP/1.1 request, signed as Mastodon signs."""
    headers = {
        "host": plan.host,
        "date": formatdate(usegmt=True),
        "digest": digest_header(body),
        "content-type": "application/activity+json",
    }
    signature = sign_cavage("POST", target, headers, KeyPair(f"{actor}#main-key", key))
    return (
        f"POST {target} HTTP/1.1\r\nHost: {headers['host']}\r\n"
        f"User-Agent: bench_joins (Mastodon-like)\r\nDate: {headers['date']}\r\n"
        f"Digest: {headers['digest']}\r\nContent-Type: {headers['content-type']}\r\n"
        f"Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


_plan: Plan | None = None
_keys: list[PrivateKey] = []


def _init_signer(plan: Plan) -> None:
    global _plan, _keys
    _plan = plan
    _keys = [load_private_key_pem(pem) for pem in plan.key_pems]


def _sign_joins(span: tuple[int, int]) -> list[bytes]:
    """Joins span[0] .. span[1]-1: even actors vote, odd actors send a Join."""
    plan = _plan
    assert plan is not None
    target = f"/campaigns/{SLUG}/inbox"
    return [
        signed_post(
            plan,
            target,
            orjson.dumps(vote(plan, i) if i % 2 == 0 else join(plan, i)),
            joiner_id(plan, i),
            _keys[i % len(_keys)],
        )
        for i in range(*span)
    ]


def sign_joins(plan: Plan) -> list[bytes]:
    spans = [(start, min(start + 500, plan.actors)) for start in range(0, plan.actors, 500)]
    with ProcessPoolExecutor(
        max_workers=os.cpu_count() or 2, initializer=_init_signer, initargs=(plan,)
    ) as signers:
        return [request for chunk in signers.map(_sign_joins, spans) for request in chunk]


def sign_follows(plan: Plan) -> list[bytes]:
    key = load_private_key_pem(plan.key_pems[0])
    requests = []
    for k, kind in FOLLOWS:
        target = (
            f"/campaigns/{SLUG}/inbox"
            if kind == "campaign"
            else f"/associations/{ASSOCIATION}/inbox"
        )
        body = orjson.dumps(follow(plan, k, kind))
        requests.append(signed_post(plan, target, body, follower_id(plan, k), key))
    return requests


# --- fake peers (child process) ----------------------------------------------------------------


def _record(origin: str, method: str, path: str, body: bytes) -> list[Any]:
    """[time, origin, method, path, type, object type, count, published] of one request."""
    kind = object_kind = published = ""
    count = None
    try:
        document = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        document = {}
    if isinstance(document, dict):
        kind = str(document.get("type", ""))
        published = str(document.get("published", ""))
        obj = document.get("object")
        if isinstance(obj, dict):
            object_kind = str(obj.get("type", ""))
            count = obj.get("participantCount", obj.get("votersCount"))
    return [time.time(), origin, method, path, kind, object_kind, count, published]


async def _serve_peer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: list[list[Any]]
) -> None:
    """Keep-alive HTTP/1.1: 202 to every POST, 404 to GETs, the log at GET /__log."""
    host, port = writer.get_extra_info("sockname")[:2]
    origin = f"http://{host}:{port}"
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            if path == "/__log":
                payload = orjson.dumps(log)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload))
                writer.write(payload)
                continue
            log.append(_record(origin, method, path, body))
            status = b"202 Accepted" if method == "POST" else b"404 Not Found"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def _run_peers(joiner_hosts: int) -> None:
    log: list[list[Any]] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_peer(reader, writer, log)

    async def listen(address: str) -> str:
        server = await asyncio.start_server(handler, address, 0, backlog=1024)
        return f"http://{address}:{server.sockets[0].getsockname()[1]}"

    followers = [await listen(f"127.0.0.{2 + k}") for k in range(FOLLOWER_SERVERS)]
    joiners = [await listen(f"127.0.0.{10 + k}") for k in range(joiner_hosts)]
    control = await listen("127.0.0.1")
    line = {"followers": followers, "joiners": joiners, "control": control}
    print(orjson.dumps(line).decode(), flush=True)
    await asyncio.Event().wait()  # until terminated


@dataclass(frozen=True, slots=True)
class Received:
    """One request a peer received."""

    at: float
    origin: str
    method: str
    path: str
    kind: str
    object_kind: str
    count: int | None
    published: str

    @property
    def label(self) -> str:
        return f"{self.kind}{{{self.object_kind}}}" if self.object_kind else self.kind


@dataclass
class Peers:
    process: subprocess.Popen[str]
    followers: tuple[str, ...]
    joiners: tuple[str, ...]
    control: str

    def received(self) -> list[Received]:
        answer = httpx.get(f"{self.control}/__log", timeout=30)
        return [Received(*row) for row in orjson.loads(answer.content)]


def start_peers(joiner_hosts: int) -> Peers:
    argv = [sys.executable, __file__, "--peers", str(joiner_hosts)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # the child prints its addresses, or dies (EOF)
    if not line:
        raise RuntimeError("the fake peers did not start")
    found = orjson.loads(line)
    return Peers(process, tuple(found["followers"]), tuple(found["joiners"]), found["control"])


# --- the database ------------------------------------------------------------------------------


def prepare(database_url: str, env: dict[str, str], cwd: Path, plan: Plan) -> None:
    """Migrate, create the published campaign through the CLI, cache every remote actor."""
    fedimob(["migrate"], env, cwd)
    user = ("user", "create", "--username", "bencher", "--email", "bench@bench.test")
    fedimob([*user, "--no-password"], env, cwd)
    association = ("association", "create", "--username", ASSOCIATION, "--name", "Bench")
    fedimob([*association, "--owner", "bencher"], env, cwd)
    deadline = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    campaign = ("campaign", "create", "--association", ASSOCIATION, "--slug", SLUG)
    goal = ("--goal-kind", "participants", "--goal", str(plan.actors), "--deadline", deadline)
    pledges = [arg for minutes in PLEDGES for arg in ("--pledge", str(minutes))]
    fedimob(
        [*campaign, "--title", "Bench", *goal, *pledges, "--language", LANGUAGE, "--publish"],
        env,
        cwd,
    )
    # In a process of its own, as bench_inbox does: Tortoise keeps a model's SQL dialect in
    # the class, so one process cannot write to SQLite and then to PostgreSQL.
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
    people = [(joiner_id(plan, i), f"u{i}", public[i % len(public)]) for i in range(plan.actors)]
    people += [(follower_id(plan, k), "follower", public[0]) for k in range(len(plan.followers))]
    now = datetime.now(UTC)
    database = Database(database_url)
    await database.connect()
    try:
        with database.activate():
            rows = []
            for ap_id, username, pem in people:
                origin = ap_id.split("/users/", 1)[0]
                rows.append(
                    Actor(
                        ap_id=ap_id,
                        username=username,
                        domain=origin.split("://", 1)[1],
                        kind=ActorKind.PERSON,
                        url=f"{origin}/@{username}",
                        inbox_url=f"{ap_id}/inbox",
                        shared_inbox_url=f"{origin}/inbox",
                        followers_url=f"{ap_id}/followers",
                        key_id=f"{ap_id}#main-key",
                        public_key_pem=pem,
                        fetched_at=now,
                    )
                )
            await Actor.bulk_create(rows, batch_size=500)
    finally:
        await database.close()


class Probe:
    """Read-only queries on the server's database, from this process, while it runs."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.sqlite: sqlite3.Connection | None = None
        self.postgres: Any = None

    async def __aenter__(self) -> Probe:
        if self.url.startswith("postgres"):
            schema = self.url.rsplit("schema=", 1)[1]
            self.postgres = await asyncpg.connect(
                pg_dsn(self.url), server_settings={"search_path": schema}
            )
        else:
            self.sqlite = sqlite3.connect(self.url.split("://", 1)[1].split("?", 1)[0])
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.postgres is not None:
            await self.postgres.close()
        if self.sqlite is not None:
            self.sqlite.close()

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres is not None:
            return [tuple(row) for row in await self.postgres.fetch(sql)]
        assert self.sqlite is not None
        return list(self.sqlite.execute(sql).fetchall())  # a millisecond: fine in the loop

    async def participants(self) -> int:
        found = await self.rows(f"SELECT participants_count FROM campaign WHERE slug = '{SLUG}'")  # noqa: S608
        return int(found[0][0])

    async def tally(self, table: str, *columns: str) -> dict[str, int]:
        """Rows of `table` counted by the values of `columns` ("a/b": n)."""
        names = ", ".join(columns)
        found = await self.rows(f"SELECT {names}, count(*) FROM {table} GROUP BY {names}")  # noqa: S608
        return {"/".join(str(v) for v in row[:-1]): int(row[-1]) for row in found}


# --- sending -----------------------------------------------------------------------------------


@dataclass
class Sent:
    """What the inbox answered to one batch of requests (wall-clock times)."""

    started: float
    statuses: Counter[int] = field(default_factory=Counter)
    accepted_at: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0
    unsent: int = 0

    @property
    def accepted(self) -> int:
        return len(self.accepted_at)

    @property
    def accept_seconds(self) -> float:
        return (max(self.accepted_at) - self.started) if self.accepted_at else float("nan")

    @property
    def accepted_rate(self) -> float:
        return self.accepted / self.accept_seconds if self.accepted_at else 0.0

    def describe(self) -> str:
        parts = [f"{status}:{n}" for status, n in sorted(self.statuses.items())]
        problems = {"timeout": self.timeouts, "conn-error": self.errors, "unsent": self.unsent}
        parts += [f"{name}:{n}" for name, n in problems.items() if n]
        return " ".join(parts) or "-"


async def send_all(port: int, requests: Sequence[bytes], connections: int) -> Sent:
    """Every request until it is answered 202 (or refused for good), `connections` at a time.

    A 429/503 answer, a timeout or a broken connection puts the request back in the queue
    (the same bytes: the server stores an activity id once).
    """
    pending = deque(requests)
    sent = Sent(started=time.time())
    deadline = time.monotonic() + SEND_TIMEOUT

    async def client() -> None:
        conn: Connection | None = None
        while pending and time.monotonic() < deadline:
            request = pending.popleft()
            try:
                if conn is None or conn.closed:
                    conn = await connect(port)
                status, _ = await asyncio.wait_for(conn.send(request), REQUEST_TIMEOUT)
            except TimeoutError:
                sent.timeouts += 1
                pending.append(request)
                if conn is not None:
                    conn.close()
                continue
            except OSError:
                sent.errors += 1
                pending.append(request)
                await asyncio.sleep(RETRY_PAUSE)
                continue
            sent.statuses[status] += 1
            if status == 202:
                sent.accepted_at.append(time.time())
            elif status in (429, 503):
                pending.append(request)
                await asyncio.sleep(RETRY_PAUSE)
        if conn is not None:
            conn.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    sent.unsent = len(pending)
    return sent


# --- one fedimob run ---------------------------------------------------------------------------


@dataclass
class Measured:
    """What `fedimob serve` did with the joins."""

    sent: Sent
    samples: list[tuple[float, int]]  # (wall time, participants_count)
    committed_at: float | None
    received: list[Received]  # by the peers, since the followers were set up
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def committed(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def committed_rate(self) -> float:
        end = self.committed_at or self.samples[-1][0]
        return self.committed / (end - self.sent.started)


@dataclass
class Run:
    """Everything measured on one database."""

    database: str
    baseline: Sent
    fedimob: Measured
    load: str  # the machine's 1-minute load average, before and after


async def wait_for(
    condition: Callable[[], Awaitable[bool]], seconds: float, every: float = 0.5
) -> bool:
    """Poll `condition` until true or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(every)
    return await condition()


async def received(peers: Peers, since: float) -> list[Received]:
    return [r for r in await asyncio.to_thread(peers.received) if r.at >= since]


async def set_up_followers(port: int, plan: Plan, peers: Peers, probe: Probe) -> float:
    """The follower servers follow; once their Accepts are in and all is quiet, the time."""
    since = time.time()
    setup = await send_all(port, sign_follows(plan), len(FOLLOWS))
    if setup.accepted != len(FOLLOWS):
        raise RuntimeError(f"the Follows were not all accepted: {setup.describe()}")

    async def accepted() -> bool:
        got = await received(peers, since)
        return sum(r.kind == "Accept" and r.origin in plan.followers for r in got) >= len(FOLLOWS)

    if not await wait_for(accepted, 60.0):
        raise RuntimeError("the follower servers did not get their Accept{Follow} in 60 s")
    follows = await probe.tally("follow", "state")
    if follows.get("accepted") != len(FOLLOWS):
        raise RuntimeError(f"follows in the database: {follows}")
    await asyncio.sleep(2.0)  # the welcome direct messages, anything else queued
    return since


async def watch_commits(
    probe: Probe, target: int, samples: list[tuple[float, int]]
) -> float | None:
    """Sample participants_count until it reaches `target`; when it did (wall clock)."""
    deadline = time.monotonic() + COMMIT_TIMEOUT
    while time.monotonic() < deadline:
        count = await probe.participants()
        samples.append((time.time(), count))
        if count >= target:
            return samples[-1][0]
        await asyncio.sleep(POLL_EVERY)
    return None


CONFIRMATIONS = ("Accept{Join}", "Create{Note}")


def delivered_everything(plan: Plan, log: Sequence[Received]) -> bool:
    """Each follower got the final counts, and each joiner its confirmation."""
    final = {
        (r.origin, r.object_kind)
        for r in log
        if r.kind == "Update" and r.count == plan.actors and r.origin in plan.followers
    }
    followers_done = all(
        (origin, kind) in final for origin in plan.followers for kind in ("Event", "Question")
    )
    confirmations = sum(r.origin in plan.joiners and r.label in CONFIRMATIONS for r in log)
    return followers_done and confirmations >= plan.actors


async def measure(
    port: int, plan: Plan, peers: Peers, probe: Probe, requests: Sequence[bytes], interval: float
) -> Measured:
    """Set up the followers, send every join, follow the commits and the deliveries."""
    since = await set_up_followers(port, plan, peers, probe)
    print(f"    followers set up ({elapsed()})", file=sys.stderr, flush=True)
    samples: list[tuple[float, int]] = []
    watcher = asyncio.create_task(watch_commits(probe, plan.actors, samples))
    sent = await send_all(port, requests, CONNECTIONS)
    print(f"    sent: {sent.describe()} ({elapsed()})", file=sys.stderr, flush=True)
    committed_at = await watcher
    print(f"    committed: {samples[-1][1]} ({elapsed()})", file=sys.stderr, flush=True)

    async def done() -> bool:
        return delivered_everything(plan, await received(peers, sent.started))

    remaining = DELIVERY_TIMEOUT - (time.time() - sent.started)
    await wait_for(done, max(remaining, 1.0), every=1.0)
    await asyncio.sleep(interval + 2.0)  # anything sent after the final counts shows up too
    print(f"    delivered ({elapsed()})", file=sys.stderr, flush=True)
    measured = Measured(sent, samples, committed_at, await received(peers, since))
    measured.checks = await cross_checks(port, probe)
    return measured


def fetch_json(port: int, path: str) -> dict[str, Any]:
    answer = httpx.get(
        f"http://127.0.0.1:{port}{path}",
        headers={"Accept": "application/activity+json"},
        timeout=30,
    )
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    return document


async def cross_checks(port: int, probe: Probe) -> dict[str, Any]:
    event = await asyncio.to_thread(fetch_json, port, f"/campaigns/{SLUG}/event")
    poll = await asyncio.to_thread(fetch_json, port, f"/campaigns/{SLUG}/poll")
    return {
        "participation rows (via/state)": await probe.tally("participation", "via", "state"),
        "Event participantCount": event.get("participantCount"),
        "poll votersCount": poll.get("votersCount"),
        "poll options": {o["name"]: o["replies"]["totalItems"] for o in poll.get("oneOf", [])},
        "inbox items (state)": await probe.tally("inbox_item", "state"),
        "jobs (kind/state)": await probe.tally("job", "kind", "state"),
    }


async def fedimob_run(
    port: int,
    plan: Plan,
    peers: Peers,
    database_url: str,
    requests: Sequence[bytes],
    interval: float,
) -> Measured:
    async with Probe(database_url) as probe:
        return await measure(port, plan, peers, probe, requests, interval)


@dataclass(frozen=True, slots=True)
class Setup:
    """What every database's run shares."""

    workdir: Path
    port: int
    plan: Plan
    peers: Peers
    requests: Sequence[bytes]
    interval: float


def server_env(setup: Setup, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIMOB_")}
    return env | {
        "FEDIMOB_URL": setup.plan.base,
        "FEDIMOB_DATABASE_URL": database_url,
        "FEDIMOB_SECRET_KEY": secrets.token_urlsafe(48),
        "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1",
        "FEDIMOB_COUNT_UPDATE_SECONDS": f"{setup.interval:g}",
    }


def bench_database(label: str, database_url: str, setup: Setup) -> Run:
    """Prepare one database; the baseline, then `fedimob serve` (with its worker)."""
    env, port, plan = server_env(setup, database_url), setup.port, setup.plan
    load_before = os.getloadavg()[0]
    prepare(database_url, env, setup.workdir, plan)
    print(f"  {label}: baseline... ({elapsed()})", file=sys.stderr, flush=True)
    argv = [sys.executable, str(BASELINE), "--port", str(port), "--database", database_url]
    argv += ["--domain", plan.host, "--loop", "uvloop"]
    process = start(argv, env, port, setup.workdir / f"{label}-baseline.log")
    try:
        baseline = uvloop.run(send_all(port, setup.requests, CONNECTIONS))
    finally:
        stop(process)
    print(f"  {label}: fedimob serve... ({elapsed()})", file=sys.stderr, flush=True)
    log = setup.workdir / f"{label}-fedimob.log"
    process = start([sys.executable, "-m", "fedimob", "serve", "--port", str(port)], env, port, log)
    try:
        measured = uvloop.run(
            fedimob_run(port, plan, setup.peers, database_url, setup.requests, setup.interval)
        )
    finally:
        stop(process)
    lines = log.read_text(errors="replace").splitlines()
    for level in ("ERROR", "WARNING"):
        found = [line for line in lines if f" {level} " in line]
        sample = f" (first: {found[0][:300]})" if found else ""
        measured.checks[f"server log: {level} lines"] = f"{len(found)}{sample}"
    load = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    return Run(label, baseline, measured, load)


def postgres_run(postgres: str, setup: Setup) -> Run:
    """The same on PostgreSQL, in a schema of its own, dropped at the end."""
    schema = f"fedimob_bench_{uuid.uuid4().hex[:12]}"
    base = normalise_database_url(postgres)
    url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    asyncio.run(pg_schema(base, f'CREATE SCHEMA "{schema}"'))
    try:
        return bench_database("postgres", url, setup)
    finally:
        asyncio.run(pg_schema(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


# --- report ------------------------------------------------------------------------------------


def windows(times: Sequence[float], start: float, interval: float, count: int) -> list[int]:
    """How many of `times` fall in each window [start + k*interval, start + (k+1)*interval)."""
    counts = [0] * count
    for at in times:
        k = int((at - start) // interval)
        if 0 <= k < count:
            counts[k] += 1
    return counts


def nonzero(per: Sequence[int], interval: float) -> str:
    """`[0, 2, 0, 1]` -> `2 in 10-20 s, 1 in 30-40 s` (the windows that got something)."""
    parts = [f"{n} in {k * interval:g}-{(k + 1) * interval:g} s" for k, n in enumerate(per) if n]
    return ", ".join(parts) or "none"


def parse_time(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def report_followers(measured: Measured, plan: Plan, interval: float) -> None:
    """Requests per follower inbox per interval, by arrival and by the server's `published`."""
    start = measured.sent.started
    after = [r for r in measured.received if r.at >= start]
    count = int((max([r.at for r in after] + [start]) - start) // interval) + 1
    follows = defaultdict(list)
    for k, kind in FOLLOWS:
        follows[plan.followers[k]].append(kind)
    print(
        f"  (3) requests per follower inbox per {interval:g} s interval from the first join, "
        f"by arrival and by `published` (when the server made the activity); design: "
        f"<= {PER_INTERVAL_DESIGN}; the last interval is the quiet wait"
    )
    per_arrival: list[int] = []
    per_publication: list[int] = []
    for origin in plan.followers:
        got = [r for r in after if r.origin == origin]
        arrived = windows([r.at for r in got], start, interval, count)
        made = windows([parse_time(r.published) or r.at for r in got], start, interval, count)
        per_arrival += arrived
        per_publication += made
        print(
            f"    {origin}/inbox (follows the {' and the '.join(follows[origin])}): "
            f"arrived {nonzero(arrived, interval)}; published {nonzero(made, interval)}; "
            f"{len(got)} in all: "
            f"{dict(Counter(r.label for r in got))}"
        )
    for name, per in (("arrival", per_arrival), ("publication", per_publication)):
        worst = max(per, default=0)
        verdict = "within" if worst <= PER_INTERVAL_DESIGN else "ABOVE"
        print(
            f"    most per interval per follower inbox by {name}: {worst}, {verdict} the design's 2"
        )
    updates = [r for r in after if r.origin == plan.followers[0] and r.label == "Update{Event}"]
    made_at = [parse_time(r.published) or r.at for r in updates]
    gaps = [b - a for a, b in itertools.pairwise(sorted(made_at))]
    print(
        f"    Update{{Event}} to {plan.followers[0]}: published at "
        f"{', '.join(f'{t - start:.1f}' for t in made_at)} s "
        f"({f'smallest gap {min(gaps):.1f} s' if gaps else 'one only'}), delivered "
        f"{', '.join(f'{r.at - t:.1f}' for r, t in zip(updates, made_at, strict=True))} s later"
    )
    final = [r.at for r in after if r.origin in plan.followers and r.count == plan.actors]
    if len(final) >= 2 * len(plan.followers):
        print(
            f"    the final counts ({plan.actors}) reached every follower "
            f"{max(final) - start:.1f} s after the first join"
        )
    else:
        print(
            f"    the final counts ({plan.actors}) had NOT reached every follower when the bench "
            f"stopped waiting ({DELIVERY_TIMEOUT:.0f} s after the first join)"
        )
    other = Counter(r.label for r in after if r.origin in plan.followers and r.kind != "Update")
    if other:
        print(f"    NOT count updates, received by followers during the run: {dict(other)}")


def report_joiners(measured: Measured, plan: Plan, interval: float) -> None:
    start = measured.sent.started
    got = [r for r in measured.received if r.origin in plan.joiners and r.at >= start]
    confirmations = sorted(r.at for r in got if r.label in CONFIRMATIONS)
    last = f"{confirmations[-1] - start:.1f} s" if confirmations else "-"
    print(
        f"  joiners' servers ({len(plan.joiners)}): {dict(Counter(r.label for r in got))}; "
        f"{len(confirmations)} confirmations, the last {last} after the first join"
    )
    count = int((max([r.at for r in got] + [start]) - start) // interval) + 1
    updates = [[r.at for r in got if r.origin == o and r.kind == "Update"] for o in plan.joiners]
    worst = max((max(windows(u, start, interval, count)) for u in updates), default=0)
    print(f"    Updates per joiner server per interval: at most {worst}")
    gets = [r for r in measured.received if r.method != "POST"]
    print(f"    GETs reaching any peer (key or actor fetches): {len(gets)}")


def report_progress(measured: Measured, interval: float) -> None:
    start = measured.sent.started
    end = measured.committed_at or measured.samples[-1][0]
    step = max(interval / 2, interval * round((end - start) / interval / 16))  # ~16 marks
    marks = []
    t = step
    while start + t < end + step:
        accepted = sum(at < start + t for at in measured.sent.accepted_at)
        committed = max([n for at, n in measured.samples if at < start + t] or [0])
        marks.append(f"{t:.0f}s {accepted}/{committed}")
        t += step
    print(f"  progress (accepted/committed): {', '.join(marks)}")


def report_rates(run: Run, plan: Plan) -> None:
    base, measured = run.baseline, run.fedimob
    sent = measured.sent
    print(
        f"  baseline inbox (inbox_baseline.py, same requests): "
        f"{base.accepted_rate:,.0f}/s accepted ({base.describe()})"
    )
    share = sent.accepted_rate / max(base.accepted_rate, 1e-9)
    print(
        f"  (1) accepted by fedimob's inbox: {sent.accepted_rate:,.0f} joins/s "
        f"({sent.accepted} in {sent.accept_seconds:.1f} s = {share:.0%} of the baseline; "
        f"{sent.describe()})"
    )
    if measured.committed_at is not None:
        lag = measured.committed_at - max(sent.accepted_at)
        reached = (
            f"{plan.actors} reached {measured.committed_at - sent.started:.1f} s after the "
            f"first join, {lag:.1f} s after the last 202"
        )
    else:
        reached = f"only {measured.committed} after {COMMIT_TIMEOUT:.0f} s"
    ratio = measured.committed_rate() / max(sent.accepted_rate, 1e-9)
    print(
        f"  (2) committed (participants_count): {measured.committed_rate():,.0f} joins/s "
        f"({reached}; {ratio:.0%} of the accepted rate)"
    )


def report(runs: list[Run], plan: Plan, interval: float) -> None:
    print(f"fedimob at {revision()}")
    print(
        f"joins: {plan.actors} distinct remote actors on {len(plan.joiners)} loopback hosts "
        f"({(plan.actors + 1) // 2} poll votes + {plan.actors // 2} Join, interleaved), "
        f"{len(plan.key_pems)} distinct RSA-2048 keys, cached; {CONNECTIONS} connections; "
        f"`fedimob serve` with its worker; FEDIMOB_COUNT_UPDATE_SECONDS={interval:g}"
    )
    for run in runs:
        print(f"{run.database} (load average {run.load} on {os.cpu_count()} cores)")
        report_rates(run, plan)
        report_progress(run.fedimob, interval)
        report_followers(run.fedimob, plan, interval)
        report_joiners(run.fedimob, plan, interval)
        print("  checks:")
        for name, value in run.fedimob.checks.items():
            print(f"    {name}: {value}")


# --- main --------------------------------------------------------------------------------------


def make_setup(workdir: Path, peers: Peers, args: argparse.Namespace) -> Setup:
    """Keys, the plan and every signed join (before anything is timed)."""
    print(f"  {args.keys} RSA-2048 keys...", file=sys.stderr, flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        pems = tuple(pool.map(generate_key_pem, range(args.keys)))
    port = free_port()
    labels = tuple(option_label(minutes, LANGUAGE) for minutes in PLEDGES)
    plan = Plan(
        key_pems=pems,
        joiners=peers.joiners,
        followers=peers.followers,
        host=f"127.0.0.1:{port}",
        labels=labels,
        actors=args.actors,
        token=uuid.uuid4().hex[:8],
    )
    requests = sign_joins(plan)
    print(f"  {len(requests)} joins signed ({elapsed()})", file=sys.stderr, flush=True)
    return Setup(workdir, port, plan, peers, requests, args.interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database")
    parser.add_argument("--actors", type=int, default=5000, help="distinct joiners")
    parser.add_argument("--hosts", type=int, default=20, help="joiners' servers (loopback)")
    parser.add_argument("--keys", type=int, default=100, help="distinct RSA keys among actors")
    parser.add_argument("--interval", type=float, default=10.0, help="count update interval")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--peers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache-actors", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peers:
        uvloop.run(_run_peers(args.peers))
        return
    if args.cache_actors:
        spec = orjson.loads(Path(args.cache_actors).read_bytes())
        plan: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in spec["plan"].items()
        }
        asyncio.run(cache_actors(spec["url"], Plan(**plan)))
        return
    postgres = args.postgres or os.environ.get("FEDIMOB_BENCH_DATABASE_URL")
    started = time.perf_counter()
    peers = start_peers(args.hosts)
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="fedimob-bench-joins-") as tmp:
            setup = make_setup(Path(tmp), peers, args)
            if not args.skip_sqlite:
                url = normalise_database_url(f"sqlite://{setup.workdir / 'fedimob.sqlite3'}")
                runs.append(bench_database("sqlite", url, setup))
            if postgres:
                runs.append(postgres_run(postgres, setup))
    finally:
        peers.process.terminate()
        peers.process.wait(timeout=15)
    report(runs, setup.plan, args.interval)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
