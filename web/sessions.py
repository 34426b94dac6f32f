"""The browser's session as a page sees it: loaded lazily, written back once.

A visitor without a session cookie costs nothing: no row is read or written
until something needs one (a form's CSRF token, a language choice, a flash
message). `ensure()` then makes the session in memory, synchronously, so a
template can ask for a CSRF token while rendering; `commit()` stores it and
sets the cookie once the page has been built.

The session of the request being served is also kept in a context variable
(`current_session()`), for template globals such as the CSRF field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedimob.clock import utcnow
from fedimob.domain import sessions as store
from fedimob.models import Account, WebSession
from fedimob.settings import Settings

COOKIE = "fedimob_session"
MAX_FLASHES = 5

_current: ContextVar[SessionHandle | None] = ContextVar("fedimob_session", default=None)


class SessionHandle:
    """One request's view of its session."""

    def __init__(self, cookie_token: str | None, settings: Settings) -> None:
        self._cookie_token = cookie_token
        self._settings = settings
        self._row: WebSession | None = None
        self._loaded = False
        self._new_token: str | None = None  # to be stored, then sent as the cookie
        self._pending_insert = False
        self._dirty = False
        self._clear_cookie = False
        self.csrf_token = ""
        self.data: dict[str, Any] = {}

    async def load(self) -> None:
        """Read the session behind the cookie (once). An unknown cookie is dropped."""
        if self._loaded:
            return
        self._loaded = True
        if self._cookie_token:
            now = utcnow()
            self._row = await store.load_session(self._cookie_token, now=now)
            if self._row is None:
                self._clear_cookie = True
            else:
                self.csrf_token = self._row.csrf_token
                self.data = dict(self._row.data or {})
                # The row's expiry moved ahead: move the cookie's too (once a minute at most).
                if self._row.last_seen_at == now:
                    self._new_token = self._cookie_token

    @property
    def exists(self) -> bool:
        return self._row is not None or self._pending_insert

    @property
    def account(self) -> Account | None:
        return self._row.account if self._row is not None else None

    @property
    def id(self) -> int | None:
        return self._row.id if self._row is not None else None

    def ensure(self) -> None:
        """Have a session from now on (stored at `commit()`); safe to call while rendering."""
        if not self.exists:
            self._new_token = store.new_token()
            self.csrf_token = store.new_token()
            self._pending_insert = True
            self._clear_cookie = False

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.ensure()
        self.data[key] = value
        self._dirty = True

    def flash(self, message: str, category: str = "info") -> None:
        """A message shown once, on the next page rendered for this session."""
        flashes = [*self.data.get("flashes", []), [category, message]][-MAX_FLASHES:]
        self.set("flashes", flashes)

    def pop_flashes(self) -> list[tuple[str, str]]:
        flashes = self.data.get("flashes") or []
        if not flashes:
            return []
        self.set("flashes", [])
        return [(str(category), str(message)) for category, message in flashes]

    async def login(self, account: Account) -> None:
        """Open a session for `account` under a new token; the old one stops working."""
        await self.load()
        keep = {k: v for k, v in self.data.items() if k in {"language", "flashes"}}
        token, row = await store.rotate_session(self.id, account, data=keep)
        self._row, self._new_token, self._pending_insert = row, token, False
        self.csrf_token, self.data, self._dirty = row.csrf_token, dict(row.data), False
        self._clear_cookie = False

    async def logout(self) -> None:
        await self.load()
        if self._row is not None:
            await store.revoke_session(self._row.id)
        self._row, self._new_token, self._pending_insert = None, None, False
        self.csrf_token, self.data, self._dirty = "", {}, False
        self._clear_cookie = True

    async def commit(self, response: Response) -> None:
        """Store what changed and set (or clear) the cookie on `response`."""
        if self._pending_insert and self._new_token:
            self._row = await store.create_session(
                self._new_token, csrf_token=self.csrf_token, data=self.data
            )
            self._pending_insert, self._dirty = False, False
        elif self._dirty and self._row is not None:
            await store.save_session_data(self._row.id, self.data)
            self._dirty = False
        if self._new_token:
            response.set_cookie(
                COOKIE,
                self._new_token,
                max_age=int(store.IDLE_LIFETIME.total_seconds()),
                path="/",
                secure=self._settings.url.startswith("https://"),
                httponly=True,
                samesite="lax",
            )
        elif self._clear_cookie:
            response.delete_cookie(COOKIE, path="/")


def session_of(request: Request) -> SessionHandle:
    """The request's session handle (made on first use)."""
    handle: SessionHandle | None = getattr(request.state, "session", None)
    if handle is None:
        handle = SessionHandle(request.cookies.get(COOKIE), request.app.state.settings)
        request.state.session = handle
    return handle


@contextmanager
def serving(handle: SessionHandle) -> Iterator[None]:
    token = _current.set(handle)
    try:
        yield
    finally:
        _current.reset(token)


def current_session() -> SessionHandle | None:
    return _current.get()
