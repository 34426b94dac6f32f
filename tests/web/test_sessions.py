import hashlib
from datetime import timedelta

import httpx

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.demo import load_demo
from fedimob.domain.accounts import disable_account
from fedimob.domain.sessions import (
    ANONYMOUS_LIFETIME,
    IDLE_LIFETIME,
    create_session,
    load_session,
    new_token,
    purge_expired_sessions,
)
from fedimob.models import WebSession
from fedimob.settings import Settings
from tests.web.forms import log_in, make_user, submit

COOKIE = "fedimob_session"


def cookie_of(response: httpx.Response) -> str:
    return response.cookies[COOKIE]


async def test_plain_page_views_create_no_session(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    for path in ("/", "/campaigns/loire_cleanup", "/associations/amis_de_la_loire"):
        response = await client.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
    assert await WebSession.all().count() == 0


async def test_federation_requests_create_no_session(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    actor = await client.get("/users/alice", headers={"accept": "application/activity+json"})
    assert actor.status_code == 200
    inbox = await client.post("/inbox", content=b"{}", headers={"content-type": "application/json"})
    assert inbox.status_code != 403  # not the web's CSRF check: the inbox's own rules apply
    assert "set-cookie" not in actor.headers
    assert "set-cookie" not in inbox.headers
    assert await WebSession.all().count() == 0


async def test_a_form_gives_a_session_with_a_safe_cookie(
    client: httpx.AsyncClient, db: Database
) -> None:
    page = await client.get("/login")
    header = page.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/", "Secure"):
        assert attribute.lower() in header.lower()
    token = cookie_of(page)
    assert len(token) >= 43
    [row] = await WebSession.all()
    # Only the hash is stored: the database alone opens no session.
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.csrf_token)
    assert row.account_id is None  # type: ignore[attr-defined]


async def test_login_rotates_the_token_and_the_old_one_is_dead(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    before = cookie_of(await client.get("/login"))
    after = cookie_of(await log_in(client))
    assert before != after
    assert await load_session(before) is None
    session = await load_session(after)
    assert session is not None
    assert session.account is not None
    assert session.account.username == "alice"
    # Someone holding the pre-login token is still anonymous.
    async with httpx.AsyncClient(
        transport=client._transport, base_url=str(client.base_url)
    ) as other:
        other.cookies.set(COOKIE, before)
        assert (await other.get("/account")).status_code == 303


async def test_logout_revokes_the_session(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    token = cookie_of(await log_in(client))
    response = await submit(client, "/logout", {}, page="/account")
    assert response.status_code == 303
    assert await load_session(token) is None
    assert await WebSession.filter(account_id__isnull=False).count() == 0
    assert (await client.get("/account")).status_code == 303


async def test_sessions_expire_when_idle_and_are_touched_once_a_minute(db: Database) -> None:
    now = utcnow()
    token = new_token()
    await create_session(token, csrf_token=new_token(), data={"language": "fr"}, now=now)
    seen = await load_session(token, now=now + timedelta(seconds=30))
    assert seen is not None
    assert seen.last_seen_at == now
    later = now + timedelta(minutes=5)
    seen = await load_session(token, now=later)
    assert seen is not None
    row = await WebSession.get(id=seen.id)
    assert row.last_seen_at == later
    assert row.expires_at == later + IDLE_LIFETIME
    assert await load_session(token, now=later + IDLE_LIFETIME + timedelta(seconds=1)) is None
    assert not await WebSession.exists(id=seen.id)


async def test_a_bare_form_token_lives_two_hours_a_choice_or_a_person_a_month(
    client: httpx.AsyncClient, db: Database
) -> None:
    before = utcnow()
    form_page = await client.get("/login")
    bare = await load_session(cookie_of(form_page))
    assert bare is not None
    assert bare.account_id is None  # type: ignore[attr-defined]
    assert before + ANONYMOUS_LIFETIME <= bare.expires_at < before + IDLE_LIFETIME
    later = utcnow() + timedelta(minutes=5)
    touched = await load_session(cookie_of(form_page), now=later)
    assert touched is not None
    assert touched.expires_at == later + ANONYMOUS_LIFETIME  # still nothing worth a month
    await make_user()
    person = await load_session(cookie_of(await log_in(client)))
    assert person is not None
    assert person.expires_at >= before + IDLE_LIFETIME


async def test_purge_forgets_expired_sessions(db: Database) -> None:
    now = utcnow()
    await create_session(new_token(), csrf_token=new_token(), now=now - IDLE_LIFETIME * 2)
    await create_session(new_token(), csrf_token=new_token(), now=now)
    assert await purge_expired_sessions(now) == 1
    assert await WebSession.all().count() == 1


async def test_disabling_an_account_ends_its_sessions(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    token = cookie_of(await log_in(client))
    await disable_account(alice)
    assert await load_session(token) is None
    assert (await client.get("/account")).status_code == 303


async def test_a_forged_or_unknown_cookie_is_dropped(
    client: httpx.AsyncClient, db: Database
) -> None:
    client.cookies.set(COOKIE, "forged")
    response = await client.get("/")
    assert response.status_code == 200
    assert 'fedimob_session=""' in response.headers["set-cookie"]
    assert await WebSession.all().count() == 0
