"""Real fedimob instances and a fake Mastodon on loopback ports, for end-to-end tests.

`LiveInstance` is one `fedimob serve` process with its own database, driven by
the `fedimob` command; it can be stopped and started again on the same port and
database. `LivePeer` serves a `FakePeer` (Mastodon-shaped actors with real keys)
over HTTP, so the instances fetch its actors' keys and deliver to its inboxes
as they would to any server. `wait_until` polls, with a deadline, what no log
line announces.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any, TypeVar

import httpx

from activitypub.testing import FakeActor, FakeFediverse, FakePeer
from fedimob.db import Database
from tests.processes import FedimobProcess, free_port

T = TypeVar("T")
AP_JSON = "application/activity+json"


class LiveInstance:
    """One `fedimob serve` process on 127.0.0.1:port, its database and its command line."""

    def __init__(self, name: str, database_url: str, **settings: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.env = {
            **os.environ,
            "FEDIMOB_URL": self.url,
            "FEDIMOB_DATABASE_URL": database_url,
            "FEDIMOB_SECRET_KEY": f"{name}-secret-".ljust(40, "k"),
            "FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1",
            **settings,
        }
        self.process: FedimobProcess | None = None
        self.earlier_output = ""  # what the previous runs printed
        self._end_read = False

    def launch(self) -> None:
        """Start `fedimob serve` (see `started()`)."""
        assert self.process is None, f"{self.name} is running already"
        self.process = FedimobProcess("serve", "--port", str(self.port), env=self.env)

    def started(self) -> None:
        """Wait until the launched server answers."""
        self.wait_for("Application startup complete")

    def start(self) -> None:
        self.launch()
        self.started()

    def stop(self) -> None:
        if self.process is None:
            return
        if self._end_read:  # wait_for() saw it end: FedimobProcess.stop() would wait again
            self.process.process.wait(timeout=30)
            assert self.process.process.stdout is not None
            self.process.process.stdout.close()
        else:
            self.process.stop()
        self.earlier_output += self.process.output
        self.process = None

    @property
    def output(self) -> str:
        return self.earlier_output + (self.process.output if self.process else "")

    def wait_for(self, pattern: str, timeout: float = 30) -> None:
        """The next line of this run's log matching `pattern` (see FedimobProcess)."""
        assert self.process is not None, f"{self.name} is stopped"
        self._end_read = False
        try:
            self.process.wait_for(pattern, timeout)
        except AssertionError as error:
            self._end_read = str(error).startswith("process ended")
            raise

    def cli(self, *argv: str, stdin: str = "") -> Any:
        """Run `fedimob ARGV...` on this instance's database; its JSON output."""
        done = subprocess.run(
            [sys.executable, "-m", "fedimob", *argv],
            input=stdin, capture_output=True, text=True, env=self.env, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{self.name}: fedimob {' '.join(argv)}: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None

    def query(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` on this instance's database (what no public document shows)."""

        async def run() -> T:
            database = Database(self.database_url)
            await database.connect()
            try:
                with database.activate():
                    return await work()
            finally:
                await database.close()

        return asyncio.run(run())


def at_once(*lanes: Callable[[], object]) -> None:
    """Run each lane in a thread of its own (e.g. commands on different instances)."""
    with ThreadPoolExecutor(len(lanes)) as pool:
        for future in [pool.submit(lane) for lane in lanes]:
            future.result()


def get_document(url: str) -> Any:
    """The ActivityPub document at `url` (unsigned GET, as authorized fetch is off)."""
    response = httpx.get(url, headers={"Accept": AP_JSON}, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_until(
    what: str, probe: Callable[[], object], expected: object, timeout: float = 60
) -> None:
    """Poll `probe()` until it returns `expected`; fail saying what was last seen."""
    deadline = time.monotonic() + timeout
    while (seen := probe()) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: expected {expected!r}, last seen {seen!r}")
        time.sleep(0.2)


class LivePeer:
    """A fake Mastodon on 127.0.0.1: actors with real keys, inboxes that record and say 202."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self.url = f"http://{self.host}"
        self.fake: FakePeer = FakeFediverse().add_peer(self.host, scheme="http")
        self._ids = count(1)
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[LivePeer]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()

    def add_actor(self, username: str) -> FakeActor:
        return self.fake.add_actor(username)

    def received(self, actor: FakeActor) -> list[dict[str, Any]]:
        """The activities delivered to `actor`'s inbox or to the shared inbox, naming it."""
        with self._lock:
            deliveries = list(self.fake.deliveries)
        return [d.activity for d in deliveries if actor.id in json.dumps(d.activity)]

    def send(self, actor: FakeActor, inbox: str, kind: str, target: Any, **fields: Any) -> str:
        """POST a `kind` activity by `actor`, signed with its key; the activity's id."""
        activity_id = f"{self.url}/activities/{next(self._ids)}"
        document = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": activity_id, "type": kind, "actor": actor.id, "object": target, **fields,
        }  # fmt: skip
        response = httpx.post(
            inbox, content=json.dumps(document).encode(), auth=actor.auth(), timeout=10,
            headers={"Content-Type": AP_JSON},
        )  # fmt: skip
        assert response.status_code == 202, f"{kind} by {actor.id}: {response.status_code}"
        return activity_id

    def vote(self, actor: FakeActor, inbox: str, poll: str, choice: str, to: str) -> str:
        """A Mastodon poll vote: a Create of a Note with the option's name and no content."""
        note = {
            "id": f"{self.url}/votes/{next(self._ids)}", "type": "Note",
            "attributedTo": actor.id, "name": choice, "inReplyTo": poll, "to": [to],
        }  # fmt: skip
        return self.send(actor, inbox, "Create", note, to=[to])

    def _answer(self, request: httpx.Request) -> httpx.Response:
        with self._lock:  # FakePeer keeps one delivery log: one request at a time
            return asyncio.run(self.fake.handle(request))


def _handler_for(peer: LivePeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = httpx.Request(
                self.command, f"{peer.url}{self.path}", headers=dict(self.headers.items()),
                content=self.rfile.read(length) if length else b"",
            )  # fmt: skip
            response = peer._answer(request)
            body = response.content
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test reports what it needs

    return Handler


__all__ = ["AP_JSON", "LiveInstance", "LivePeer", "at_once", "get_document", "wait_until"]
