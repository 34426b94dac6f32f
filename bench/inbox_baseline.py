"""The inbox baseline for bench_inbox.py: the least a signed inbox can do, on Starlette.

    .venv/bin/python bench/inbox_baseline.py --port P --database URL --domain 127.0.0.1:P

One uvicorn process with the settings `fedimob serve` uses: the same `uvicorn.Config`
(httptools, proxy headers, no server header, no access log) served by `Server.serve()` under
`asyncio.run`, as fedimob's CLI does (so the default asyncio loop; `--loop uvloop` to
compare). Per request it reads the body, parses it with orjson, verifies the draft-cavage
signature with `activitypub.verify.verify_request` (same policy: host, date window, digest,
RSA) and commits one row in its own transaction: aiosqlite behind one lock on SQLite (WAL,
synchronous=NORMAL, as fedimob), a single-statement autocommit on an asyncpg pool on
PostgreSQL. Keys: every cached remote actor's key is read from the `actor` table of the same
database **once at start-up** and kept parsed in memory (no query per request). The rows go
to the table `bench_baseline_inbox`, created here (dropped first if it exists).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from activitypub.errors import SignatureError
from activitypub.keys import load_public_key_pem
from activitypub.verify import ResolvedKey, verify_request

TABLE = "bench_baseline_inbox"
Store = Callable[[str, str, str, str], Awaitable[None]]


class MemoryResolver:
    """Keys loaded once; an unknown key is refused (no network in the baseline)."""

    def __init__(self, keys: dict[str, ResolvedKey]) -> None:
        self.keys = keys

    async def resolve(self, key_id: str, *, refresh: bool) -> ResolvedKey:
        from activitypub.errors import KeyUnavailable

        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None


def _keys(rows: list[tuple[str, str, str]]) -> dict[str, ResolvedKey]:
    return {key_id: ResolvedKey(load_public_key_pem(pem), owner) for key_id, pem, owner in rows}


@asynccontextmanager
async def sqlite_store(path: str) -> AsyncIterator[tuple[Store, dict[str, ResolvedKey]]]:
    db = await aiosqlite.connect(path)
    try:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA busy_timeout=5000")
        cursor = await db.execute(
            "SELECT key_id, public_key_pem, ap_id FROM actor "
            "WHERE domain IS NOT NULL AND key_id IS NOT NULL"
        )
        keys = _keys([(str(a), str(b), str(c)) for a, b, c in await cursor.fetchall()])
        await db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        await db.execute(
            f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "activity_id TEXT NOT NULL UNIQUE, actor_id TEXT NOT NULL, key_id TEXT NOT NULL, "
            "payload TEXT NOT NULL, received_at TEXT NOT NULL)"
        )
        await db.commit()
        lock = asyncio.Lock()

        async def store(activity_id: str, actor_id: str, key_id: str, payload: str) -> None:
            async with lock:  # one transaction per request: nothing else in between
                await db.execute(
                    f"INSERT OR IGNORE INTO {TABLE} "  # noqa: S608 - a constant
                    "(activity_id, actor_id, key_id, payload, received_at) VALUES (?,?,?,?,?)",
                    (activity_id, actor_id, key_id, payload, datetime.now(UTC).isoformat()),
                )
                await db.commit()

        yield store, keys
    finally:
        await db.close()


@asynccontextmanager
async def postgres_store(url: str) -> AsyncIterator[tuple[Store, dict[str, ResolvedKey]]]:
    parts = urlsplit(url)
    schema = (parse_qs(parts.query).get("schema") or ["public"])[0]
    dsn = "postgresql://" + parts.netloc + parts.path
    pool = await asyncpg.create_pool(
        dsn, min_size=5, max_size=10, server_settings={"search_path": schema}
    )
    try:
        async with pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT key_id, public_key_pem, ap_id FROM actor "
                "WHERE domain IS NOT NULL AND key_id IS NOT NULL"
            )
            await connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
            await connection.execute(
                f"CREATE TABLE {TABLE} (id BIGSERIAL PRIMARY KEY, "
                "activity_id VARCHAR(2048) NOT NULL UNIQUE, actor_id VARCHAR(2048) NOT NULL, "
                "key_id VARCHAR(2048) NOT NULL, payload JSONB NOT NULL, "
                "received_at TIMESTAMPTZ NOT NULL)"
            )
        keys = _keys([(r["key_id"], r["public_key_pem"], r["ap_id"]) for r in rows])

        async def store(activity_id: str, actor_id: str, key_id: str, payload: str) -> None:
            await pool.execute(  # one statement, autocommit: its own transaction
                f"INSERT INTO {TABLE} "  # noqa: S608 - a constant
                "(activity_id, actor_id, key_id, payload, received_at) "
                "VALUES ($1,$2,$3,$4::jsonb,$5) ON CONFLICT (activity_id) DO NOTHING",
                activity_id,
                actor_id,
                key_id,
                payload,
                datetime.now(UTC),
            )

        yield store, keys
    finally:
        await pool.close()


def create_app(database: str, domain: str) -> Starlette:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opener = postgres_store if database.startswith("postgres") else sqlite_store
        target = database if database.startswith("postgres") else database.split("://", 1)[1]
        async with opener(target.split("?", 1)[0] if opener is sqlite_store else target) as (
            store,
            keys,
        ):
            state["store"], state["resolver"] = store, MemoryResolver(keys)
            yield

    async def inbox(request: Request) -> Response:
        body = await request.body()
        try:
            activity = orjson.loads(body)
            activity_id, actor_id = str(activity["id"]), str(activity["actor"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(status_code=400)
        try:
            verified = await verify_request(
                method=request.method,
                target=request.url.path,
                headers=request.headers,
                body=body,
                resolver=state["resolver"],
                expected_host=domain,
                url_scheme="http",
            )
        except SignatureError:
            return Response(status_code=401)
        if verified.owner != actor_id:
            return Response(status_code=401)
        await state["store"](activity_id, actor_id, verified.key_id, body.decode())
        return Response(status_code=202)

    return Starlette(
        routes=[Route("/campaigns/{name:str}/inbox", inbox, methods=["POST"])],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True, help="sqlite:///path or postgres://...")
    parser.add_argument("--domain", required=True, help="the Host signatures must name")
    parser.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        default="asyncio",
        help="event loop (default asyncio: `fedimob serve` runs uvicorn under asyncio.run)",
    )
    args = parser.parse_args()
    config = uvicorn.Config(  # exactly what `fedimob serve` passes
        create_app(args.database, args.domain.lower()),
        host="127.0.0.1",
        port=args.port,
        proxy_headers=True,
        server_header=False,
        access_log=False,
        log_level="info",
    )
    server = uvicorn.Server(config)
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(server.serve())
    else:
        asyncio.run(server.serve())


if __name__ == "__main__":
    main()
