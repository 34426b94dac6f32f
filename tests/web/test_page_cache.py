"""The page cache: public pages for visitors without a cookie, never anything personal."""

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse

from fedimob.app import create_app
from fedimob.db import Database
from fedimob.domain.campaigns import edit_campaign
from fedimob.settings import Settings
from tests.fedimob.factories import make_campaign
from tests.web.forms import log_in, make_user
from web.page_cache import PageCache


@pytest.fixture
async def cached_client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    cached = Settings(**{**_fields(settings), "page_cache_seconds": 60.0})
    app = create_app(cached, database=db, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=cached.url) as client:
        yield client


def _fields(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in Settings.__dataclass_fields__}


async def test_visitors_without_a_cookie_share_one_rendering(
    cached_client: httpx.AsyncClient,
) -> None:
    campaign = await make_campaign(slug="river", title="River day")
    first = await cached_client.get("/campaigns/river")
    await edit_campaign(campaign, title="River day, renamed")
    again = await cached_client.get("/campaigns/river")
    assert "River day, renamed" not in again.text  # served from the cache
    assert again.text == first.text
    french = await cached_client.get("/campaigns/river", headers={"accept-language": "fr"})
    assert "River day, renamed" in french.text  # one entry per language
    other = await cached_client.get("/campaigns/river?x=1")
    assert "River day, renamed" in other.text  # one entry per address


def test_a_path_with_an_encoded_question_mark_is_not_another_address() -> None:
    cache = PageCache(60.0)

    def key(path: str, query: str) -> object:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode()}
        return cache.key_for(Request({**scope, "headers": [], "server": ("x", 80)}), "en")

    # GET /a?b?c, and GET /a%3Fb?c (whose decoded path holds the "?").
    assert key("/a", "b?c") != key("/a?b", "c")


async def test_people_with_a_cookie_always_get_a_fresh_page(
    cached_client: httpx.AsyncClient,
) -> None:
    campaign = await make_campaign(slug="river", title="River day")
    await cached_client.get("/campaigns/river")  # cached for visitors
    await make_user()
    await log_in(cached_client)
    await edit_campaign(campaign, title="River day, renamed")
    page = await cached_client.get("/campaigns/river")
    assert "River day, renamed" in page.text
    assert "alice" in page.text.lower()  # their own header, never shared


async def test_responses_that_set_a_cookie_or_fail_are_never_kept(
    cached_client: httpx.AsyncClient,
) -> None:
    login = await cached_client.get("/login")  # a form: it starts a session
    assert "set-cookie" in login.headers
    cached_client.cookies.clear()
    again = await cached_client.get("/login")
    assert "set-cookie" in again.headers  # rendered again, with its own token
    assert (await cached_client.get("/campaigns/nope")).status_code == 404


def test_the_cache_is_bounded_and_expires() -> None:
    now = [0.0]
    cache = PageCache(2.0, clock=lambda: now[0])
    for n in range(600):
        cache.put((f"/p{n}", "", "en"), HTMLResponse("<p>hello</p>"))
    assert cache.get(("/p0", "", "en")) is None  # the oldest went first
    assert cache.get(("/p599", "", "en")) is not None
    now[0] = 2.5
    assert cache.get(("/p599", "", "en")) is None


def test_an_expired_page_is_rendered_by_one_request_while_others_get_it_as_it_was() -> None:
    now = [0.0]
    cache = PageCache(2.0, clock=lambda: now[0])
    key = ("/campaigns/river", "", "en")
    cache.put(key, HTMLResponse("<p>old</p>"))
    now[0] = 3.0
    assert cache.get(key) is None  # the first request after expiry renders it
    stale = cache.get(key)  # meanwhile, the others
    assert stale is not None
    assert stale.body == b"<p>old</p>"
    cache.put(key, HTMLResponse("<p>new</p>"))
    cache.done(key)
    fresh = cache.get(key)
    assert fresh is not None
    assert fresh.body == b"<p>new</p>"
    now[0] = 6.0
    assert cache.get(key) is None
    cache.done(key)  # that rendering failed: the next request tries again
    assert cache.get(key) is None
