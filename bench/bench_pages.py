"""Page rate and latency of `fedimob serve`, beside a baseline measured in the same run.

    .venv/bin/python bench/bench_pages.py [--postgres URL] [--seconds S] [--requests N]

Two HTML pages, the discover page (``/``) and a campaign page (``/campaigns/loire_cleanup``),
are fetched with GET on 127.0.0.1 by visitors without a cookie (what people following a link
from the Fediverse are, and what the targets are for), and the campaign page once more by the
demo's volunteer, logged in (a session cookie: rendered for each request, never cached; its
figures are reported beside the targets, not held to them), on SQLite and, when ``--postgres`` or
FEDIMOB_BENCH_DATABASE_URL is given, on PostgreSQL too (in a schema of its own, dropped at
the end). The database holds `fedimob demo`'s data (three running campaigns, two ended). Two
servers, both up, each one process on a port of its own:

- ``fedimob``: ``fedimob serve --no-worker`` (uvicorn on uvloop, as it always runs; no worker
  so no job runs during the measure);
- ``baseline``: bench/pages_baseline.py, a minimal Starlette app that renders Jinja2 pages
  shaped like fedimob's from data in memory, padded to at least the size of fedimob's pages
  (the sizes are printed), under the same uvicorn settings on uvloop.

The client is raw asyncio on uvloop with httptools, keep-alive connections, in this process,
apart from the servers. Phases per page, each bounded in requests and time, the two servers
measured in turn within each round, so that both see the same machine (on a shared machine,
other work comes and goes: the load average is printed):

1. warm-up (not counted);
2. saturation: 64 connections, closed loop: pages per second (200s), p50/p99 latency; the
   best of ``--rounds`` rounds is kept;
3. fixed rate below saturation: half of the server's own saturation rate offered (open loop,
   latency counted from the scheduled send time, so queueing counts), 64 connections; the
   round with the lowest p99 is kept.

The CPU columns say how busy the server's process and this client were during saturation: a
server near 100 % is the bottleneck, as it should be; a client near 100 % would mean the
figures are the client's.

Targets (issue 6): each page at least 50 % of the baseline's rate, and p99 <= 25 ms at the
fixed rate below saturation. A default run (SQLite, 2 rounds) takes about a minute and a half
on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]
import httptools
import httpx
import uvloop

from fedimob.demo.local import DEMO_PASSWORD, VOLUNTEER
from fedimob.settings import normalise_database_url

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "pages_baseline.py"
# name -> (path, fetched with the logged-in volunteer's session cookie)
PAGES = {
    "discover": ("/", False),
    "campaign": ("/campaigns/loire_cleanup", False),
    "campaign+session": ("/campaigns/loire_cleanup", True),
}
CONCURRENCY = 64
WARMUP = 300
FIXED_SHARE = 0.5  # the fixed rate, as a share of the server's saturation rate
REQUEST_TIMEOUT = 10.0  # a request unanswered this long counts as a timeout
START_TIMEOUT = 60.0
RATIO_TARGET = 0.5
P99_TARGET_MS = 25.0


# --- the client -------------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 client connection, one request at a time (httptools)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.waiter: asyncio.Future[int] | None = None

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

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(self.parser.get_status_code())
        if not self.parser.should_keep_alive():
            self.close()

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def send(self, request: bytes) -> asyncio.Future[int]:
        if self.transport is None or self.closed:
            raise ConnectionError("connection closed")
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


def get(path: str, port: int, cookie: str = "") -> bytes:
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: bench_pages\r\n"
        f"Accept: text/html\r\nAccept-Language: en\r\n{cookie_line}\r\n"
    ).encode()


@dataclass
class Result:
    """What one phase against one page of one server gave."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: int = 0
    unsent: int = 0
    elapsed: float = 0.0
    offered: float | None = None
    server_cpu: float | None = None  # share of one core, during the phase
    server_cpu_seconds: float | None = None
    client_cpu: float | None = None

    @property
    def cpu_per_page_ms(self) -> float:
        """The server's CPU time per answer: what a busy machine does not change much."""
        answered = sum(self.statuses.values())
        if self.server_cpu_seconds is None or not answered:
            return float("nan")
        return 1000 * self.server_cpu_seconds / answered

    @property
    def rate(self) -> float:
        return self.statuses[200] / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the answered requests' latency, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    def describe_statuses(self) -> str:
        parts = [f"{status}:{n}" for status, n in sorted(self.statuses.items())]
        for name, count in (("timeout", self.timeouts), ("conn-error", self.errors)):
            if count:
                parts.append(f"{name}:{count}")
        if self.unsent:
            parts.append(f"unsent:{self.unsent}")
        return " ".join(parts) or "-"

    @property
    def clean(self) -> bool:
        others = sum(n for status, n in self.statuses.items() if status != 200)
        return not (others or self.timeouts or self.errors or self.unsent)


async def exchange(
    conn: Connection, port: int, request: bytes, since: float, result: Result
) -> Connection:
    """Send one request (reconnecting if needed) and record its answer; the connection to reuse."""
    try:
        if conn.closed:
            conn = await connect(port)
        status = await asyncio.wait_for(conn.send(request), REQUEST_TIMEOUT)
    except TimeoutError:
        result.timeouts += 1
        conn.close()
        return conn
    except OSError:  # ConnectionError included
        result.errors += 1
        conn.close()
        return conn
    result.statuses[status] += 1
    result.latencies.append(time.perf_counter() - since)
    return conn


async def closed_loop(port: int, request: bytes, count: int, seconds: float) -> Result:
    """CONCURRENCY clients, each sending the next request when the last one is answered."""
    result = Result()
    left = count
    conns = await asyncio.gather(*(connect(port) for _ in range(CONCURRENCY)))
    started = time.perf_counter()
    deadline = started + seconds

    async def client(conn: Connection) -> None:
        nonlocal left
        while left > 0 and (now := time.perf_counter()) < deadline:
            left -= 1
            conn = await exchange(conn, port, request, now, result)
        conn.close()

    await asyncio.gather(*(client(conn) for conn in conns))
    result.elapsed = time.perf_counter() - started
    return result


async def open_loop(port: int, request: bytes, rate: float, seconds: float) -> Result:
    """Requests scheduled at `rate` whatever the answers; latency counted from the schedule."""
    result = Result(offered=rate)
    count = max(1, int(rate * seconds))
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in await asyncio.gather(*(connect(port) for _ in range(CONCURRENCY))):
        free.put_nowait(conn)
    tasks: set[asyncio.Task[None]] = set()

    async def one(conn: Connection, at: float) -> None:
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
        task = asyncio.create_task(one(conn, at))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - started
    while not free.empty():
        free.get_nowait().close()
    return result


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, phase: Coroutine[None, None, Result]) -> Result:
    """Run a phase, noting the server's and this client's CPU use meanwhile."""
    server_before, client_before = cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    result = await phase
    wall = time.perf_counter() - started
    server_after = cpu_seconds(pid)
    if server_before is not None and server_after is not None:
        result.server_cpu_seconds = server_after - server_before
        result.server_cpu = result.server_cpu_seconds / wall
    result.client_cpu = (time.process_time() - client_before) / wall
    return result


@dataclass
class PageRun:
    database: str
    server: str
    page: str
    size: int
    saturation: Result
    fixed: Result


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    pid: int
    cookie: str = ""  # a logged-in session's (the baseline has no sessions)

    def request(self, page: str) -> bytes:
        path, logged_in = PAGES[page]
        return get(path, self.port, self.cookie if logged_in else "")


async def drive(
    database: str, servers: list[Server], sizes: dict[str, dict[str, int]], args: argparse.Namespace
) -> list[PageRun]:
    """Each page on every server, phases interleaved so that all see the same busy machine."""
    runs = []
    for page in PAGES:
        for server in servers:
            await closed_loop(server.port, server.request(page), WARMUP, 30.0)
        saturations: dict[str, list[Result]] = {server.name: [] for server in servers}
        for _ in range(args.rounds):
            for server in servers:
                phase = closed_loop(server.port, server.request(page), args.requests, args.seconds)
                saturations[server.name].append(await measured(server.pid, phase))
        best = {name: max(results, key=lambda r: r.rate) for name, results in saturations.items()}
        fixed: dict[str, list[Result]] = {server.name: [] for server in servers}
        for _ in range(args.rounds):
            for server in servers:
                rate = max(1.0, FIXED_SHARE * best[server.name].rate)
                phase = open_loop(server.port, server.request(page), rate, args.fixed_seconds)
                fixed[server.name].append(await measured(server.pid, phase))
        for server in servers:
            calmest = min(fixed[server.name], key=lambda r: r.percentile(0.99))
            size = sizes[server.name][page]
            runs.append(PageRun(database, server.name, page, size, best[server.name], calmest))
    return runs


async def sizes_of(server: Server) -> dict[str, int]:
    return {page: await page_size(server, page) for page in PAGES}


async def page_size(server: Server, page: str) -> int:
    """The body's size in bytes; fails unless the page answers 200."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        request = server.request(page).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        writer.write(request)
        raw = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"GET {page}: {head.splitlines()[0].decode()}")
    if server.cookie and PAGES[page][1] and b"Log out" not in body:
        raise RuntimeError(f"GET {page}: the session cookie did not log in")
    return len(body)


def log_in(port: int) -> str:
    """The Cookie header of the demo's volunteer, logged in through the login form."""
    origin = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=origin, timeout=REQUEST_TIMEOUT) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if token is None:
            raise RuntimeError("the login page has no form token")
        fields = {"csrf_token": token[1], "username": VOLUNTEER, "password": DEMO_PASSWORD}
        done = client.post("/login", data=fields, headers={"origin": origin})
        if done.status_code != 303:
            raise RuntimeError(f"logging in answered {done.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


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
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"fedimob {' '.join(args[:2])} failed: {done.stderr.strip()}")


def bench_database(
    label: str, database_url: str, workdir: Path, args: argparse.Namespace
) -> list[PageRun]:
    """Demo data into one database, then fedimob and the baseline, both up, measured in turn."""
    port, baseline_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIMOB_")}
    env |= {
        "FEDIMOB_URL": f"http://127.0.0.1:{port}",
        "FEDIMOB_DATABASE_URL": database_url,
        "FEDIMOB_SECRET_KEY": secrets.token_urlsafe(48),
    }
    fedimob(["migrate"], env, workdir)
    fedimob(["demo"], env, workdir)
    serve = [sys.executable, "-m", "fedimob", "serve", "--port", str(port), "--no-worker"]
    processes = [start(serve, env, port, workdir / f"{label}-fedimob.log")]
    try:
        ours = Server("fedimob", port, processes[0].pid, cookie=log_in(port))
        sizes = {"fedimob": uvloop.run(sizes_of(ours))}
        baseline = [sys.executable, str(BASELINE), "--port", str(baseline_port)]
        baseline += ["--discover-bytes", str(sizes["fedimob"]["discover"])]
        baseline += ["--campaign-bytes", str(sizes["fedimob"]["campaign"])]
        processes.append(start(baseline, env, baseline_port, workdir / f"{label}-baseline.log"))
        servers = [ours, Server("baseline", baseline_port, processes[1].pid)]
        sizes["baseline"] = uvloop.run(sizes_of(servers[1]))
        print(f"  {label}: measuring ({elapsed()})", file=sys.stderr, flush=True)
        return uvloop.run(drive(label, servers, sizes, args))
    finally:
        for process in processes:
            stop(process)


def pg_dsn(url: str) -> str:
    parts = urlsplit(normalise_database_url(url))
    return f"postgresql://{parts.netloc}{parts.path}"


async def _pg_schema(url: str, sql: str) -> None:
    connection = await asyncpg.connect(pg_dsn(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


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


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def report(runs: list[PageRun], load: tuple[float, float, float], rounds: int) -> None:
    print(f"fedimob at {revision()}")
    print(f"machine: {os.cpu_count()} cores, load average before the run {load[0]:.2f}")
    print(
        f"pages: GET {', '.join(dict.fromkeys(path for path, _ in PAGES.values()))} on "
        "`fedimob demo` data (campaign+session: with the volunteer's session), 127.0.0.1, "
        "keep-alive; "
        f"client: uvloop + httptools in its own process; servers: one uvicorn process on uvloop; "
        f"best of {rounds} rounds"
    )
    print(
        f"  {'db':8} {'server':9} {'page':16} {'bytes':>6} {'pages/s':>8} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'cpu srv':>7} {'ms/page':>7} {'cpu cli':>7} | {'fixed/s':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7}  statuses"
    )
    for run in runs:
        sat, fixed = run.saturation, run.fixed
        statuses = sat.describe_statuses()
        if not fixed.clean:
            statuses += f" / fixed {fixed.describe_statuses()}"
        print(
            f"  {run.database:8} {run.server:9} {run.page:16} {run.size:6} {sat.rate:8.0f} "
            f"{sat.percentile(0.50):7.1f} {sat.percentile(0.99):7.1f} "
            f"{percent(sat.server_cpu):>7} {sat.cpu_per_page_ms:7.2f} "
            f"{percent(sat.client_cpu):>7} | "
            f"{fixed.offered or 0:7.0f} {fixed.percentile(0.50):7.1f} "
            f"{fixed.percentile(0.99):7.1f}  {statuses}"
        )
    print(
        f"summary (saturation: {CONCURRENCY} connections; fixed rate: "
        f"{FIXED_SHARE:.0%} of the server's own saturation rate)"
    )
    by_key = {(run.database, run.server, run.page): run for run in runs}
    for database in dict.fromkeys(run.database for run in runs):
        for page in PAGES:
            ours = by_key[(database, "fedimob", page)]
            base = by_key[(database, "baseline", page)]
            ratio = ours.saturation.rate / max(base.saturation.rate, 1e-9)
            p99, base_fixed = ours.fixed.percentile(0.99), base.fixed
            print(
                f"  {database} {page}: fedimob {ours.saturation.rate:,.0f}/s = {ratio:.0%} of the "
                f"baseline's {base.saturation.rate:,.0f}/s ({ours.size:,} vs {base.size:,} "
                f"bytes); p99 at {ours.fixed.offered or 0:,.0f}/s {p99:.1f} ms (baseline "
                f"{base_fixed.percentile(0.99):.1f} ms at {base_fixed.offered or 0:,.0f}/s)"
            )
            cpu, base_cpu = ours.saturation.cpu_per_page_ms, base.saturation.cpu_per_page_ms
            print(
                f"    server CPU per page: fedimob {cpu:.2f} ms, baseline {base_cpu:.2f} ms: "
                f"on a core of its own, fedimob would serve {base_cpu / cpu:.0%} of the "
                f"baseline's rate (the figure that other work on the machine changes least)"
            )
            checks = [
                (f"rate >= {RATIO_TARGET:.0%} of the baseline", ratio >= RATIO_TARGET),
                (
                    f"p99 <= {P99_TARGET_MS:.0f} ms below saturation",
                    ours.fixed.clean and p99 <= P99_TARGET_MS,
                ),
                ("every answer 200", ours.saturation.clean and ours.fixed.clean),
            ]
            held = not PAGES[page][1]  # the targets are for pages visitors share
            if not held:
                print("    (logged in: rendered for each request; reported, not held to targets)")
            for name, ok in checks:
                mark = ("meets " if ok else "MISSES") if held else ("(meets)" if ok else "(below)")
                print(f"    {mark} {name}")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database")
    parser.add_argument("--requests", type=int, default=40000, help="saturation requests")
    parser.add_argument("--seconds", type=float, default=4.0, help="saturation time limit")
    parser.add_argument("--fixed-seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2, help="best of N, servers interleaved")
    args = parser.parse_args()
    postgres = args.postgres or os.environ.get("FEDIMOB_BENCH_DATABASE_URL")
    started = time.perf_counter()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fedimob-bench-pages-") as tmp:
        workdir = Path(tmp)
        sqlite_url = normalise_database_url(f"sqlite://{workdir / 'fedimob.sqlite3'}")
        runs = bench_database("sqlite", sqlite_url, workdir, args)
        if postgres:
            schema = f"fedimob_bench_{uuid.uuid4().hex[:12]}"
            base = normalise_database_url(postgres)
            url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
            asyncio.run(_pg_schema(base, f'CREATE SCHEMA "{schema}"'))
            try:
                runs += bench_database("postgres", url, workdir, args)
            finally:
                asyncio.run(_pg_schema(base, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    report(runs, load, args.rounds)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
