"""Signed-POST throughput of the outbound client, beside a baseline measured in the same run.

    .venv/bin/python bench/bench_sender.py [--requests 4000] [--concurrency 64] [--uvloop]

A minimal receiver (raw asyncio, answers 202, keep-alive) runs in a child process on
127.0.0.1 so it does not share the sender's core. Three senders POST the same activity, each
signed per request (RSA-2048, draft-cavage, Digest) with 64 concurrent connections:

- ``baseline``: hand-written HTTP/1.1 over asyncio streams, signing with ``sign_cavage``;
- ``httpx-default``: ``httpx.AsyncClient()`` with ``HttpSignatureAuth``;
- ``SafeClient``: our outbound client (``post``) with ``HttpSignatureAuth``.

Also printed: the signing ceiling (signatures per second on one core). Target: SafeClient at
least 70% of the baseline. Loopback only; every run is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from activitypub.cavage import sign_cavage
from activitypub.digest import digest_header
from activitypub.fetcher import SafeClient
from activitypub.keys import KeyPair, generate_rsa_key
from activitypub.retry import Outcome
from activitypub.signing import HttpSignatureAuth

BODY = (
    b'{"@context":"https://www.w3.org/ns/activitystreams","type":"Create",'
    b'"id":"https://bench.example/activities/1","actor":"https://bench.example/actors/1",'
    b'"object":{"type":"Note","content":"' + b"x" * 400 + b'"}}'
)
TIME_LIMIT = 60.0  # seconds per sender, whatever --requests says


# --- receiver (child process) -------------------------------------------------------------


async def _receive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_receive, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def serve() -> None:
    """Run the receiver until killed (uvloop if available: it must not be the bottleneck)."""
    try:
        import uvloop

        uvloop.run(_serve())
    except ImportError:
        asyncio.run(_serve())


# --- senders --------------------------------------------------------------------------------


async def run_workers(
    total: int, concurrency: int, make_worker: Callable[[int], Awaitable[int]]
) -> tuple[int, float]:
    """Run ``concurrency`` workers sharing ``total`` requests; (requests done, seconds)."""
    share = [
        total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)
    ]
    started = time.perf_counter()
    done = await asyncio.gather(*(make_worker(n) for n in share))
    return sum(done), time.perf_counter() - started


def _deadline() -> float:
    return time.perf_counter() + TIME_LIMIT


async def baseline(port: int, total: int, concurrency: int, key: KeyPair) -> tuple[int, float]:
    """Hand-written HTTP/1.1 over asyncio streams: the floor of Python-side overhead."""
    host = f"127.0.0.1:{port}"
    digest = digest_header(BODY)
    stop = _deadline()

    async def worker(count: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = 0
        try:
            for _ in range(count):
                if time.perf_counter() > stop:
                    break
                headers = {
                    "host": host,
                    "date": formatdate(usegmt=True),
                    "digest": digest,
                    "content-type": "application/activity+json",
                }
                signature = sign_cavage("POST", "/inbox", headers, key)
                head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
                writer.write(
                    f"POST /inbox HTTP/1.1\r\n{head}signature: {signature}\r\n"
                    f"content-length: {len(BODY)}\r\n\r\n".encode()
                    + BODY
                )
                response = await reader.readuntil(b"\r\n\r\n")
                if not response.startswith(b"HTTP/1.1 202"):
                    raise RuntimeError(response[:40])
                sent += 1
        finally:
            writer.close()
        return sent

    return await run_workers(total, concurrency, worker)


async def httpx_default(port: int, total: int, concurrency: int, key: KeyPair) -> tuple[int, float]:
    """httpx's own pool, as most Python servers would send."""
    url = f"http://127.0.0.1:{port}/inbox"
    stop = _deadline()
    async with httpx.AsyncClient() as client:

        async def worker(count: int) -> int:
            sent = 0
            for _ in range(count):
                if time.perf_counter() > stop:
                    break
                response = await client.post(
                    url,
                    content=BODY,
                    headers={"Content-Type": "application/activity+json"},
                    auth=HttpSignatureAuth(key),
                )
                if response.status_code != 202:
                    raise RuntimeError(response.status_code)
                sent += 1
            return sent

        return await run_workers(total, concurrency, worker)


async def safe_client(port: int, total: int, concurrency: int, key: KeyPair) -> tuple[int, float]:
    """Our outbound client, exactly as delivery uses it."""
    url = f"http://127.0.0.1:{port}/inbox"
    stop = _deadline()
    async with SafeClient(allow_private=True) as client:

        async def worker(count: int) -> int:
            sent = 0
            for _ in range(count):
                if time.perf_counter() > stop:
                    break
                verdict = await client.post(url, BODY, auth=HttpSignatureAuth(key))
                if verdict.outcome is not Outcome.SUCCESS:
                    raise RuntimeError(verdict)
                sent += 1
            return sent

        return await run_workers(total, concurrency, worker)


def signing_ceiling(key: KeyPair, seconds: float = 2.0) -> float:
    """Signatures per second on one core, same signing string as the senders."""
    headers = {"host": "127.0.0.1", "date": formatdate(usegmt=True), "digest": "x"}
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        sign_cavage("POST", "/inbox", headers, key)
        count += 1
    return count / (time.perf_counter() - started)


async def bench(port: int, total: int, concurrency: int, key: KeyPair) -> dict[str, float]:
    """Run every sender once (after a short warm-up each); requests per second by name."""
    senders = {
        "baseline": baseline,
        "httpx-default": httpx_default,
        "SafeClient": safe_client,
    }
    results: dict[str, float] = {}
    for name, sender in senders.items():
        await sender(port, concurrency * 4, concurrency, key)  # warm-up: connections, caches
        done, seconds = await sender(port, total, concurrency, key)
        results[name] = done / seconds
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--uvloop", action="store_true", help="run the senders on uvloop")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    receiver = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert receiver.stdout is not None
        port = int(receiver.stdout.readline())
        key = KeyPair("https://bench.example/actors/1#main-key", generate_rsa_key(2048))
        ceiling = signing_ceiling(key)
        if args.uvloop:
            import uvloop

            results = uvloop.run(bench(port, args.requests, args.concurrency, key))
        else:
            results = asyncio.run(bench(port, args.requests, args.concurrency, key))
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    loop_name = "uvloop" if args.uvloop else "asyncio"
    print(f"signed POSTs/s, {args.concurrency} connections, {loop_name}, 127.0.0.1")
    print(f"  {'signing ceiling (1 core)':26} {ceiling:8.0f}")
    for name, rate in results.items():
        share = rate / results["baseline"]
        print(f"  {name:26} {rate:8.0f}   {share:6.0%} of baseline")


if __name__ == "__main__":
    main()
