import httpx
import pytest
from starlette.applications import Starlette

from fedimob.db import Database
from fedimob.domain.accounts import get_account
from fedimob.domain.instance_settings import REGISTRATIONS_OPEN, set_setting
from fedimob.models import Account
from fedimob.settings import Settings
from tests.web.forms import PASSWORD, log_in, make_user, submit
from web.access import safe_next

SIGNUP = {
    "username": "bob",
    "display_name": "Bob",
    "email": "bob@example.org",
    "password": PASSWORD,
}


async def test_signup_creates_the_account_and_logs_in(
    client: httpx.AsyncClient, db: Database
) -> None:
    response = await submit(
        client,
        "/signup",
        {**SIGNUP, "next": "/campaigns/x"},
        page="/signup?next=/campaigns/x",
        headers={"accept-language": "fr"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/campaigns/x"
    bob = await get_account("bob")
    assert bob.email == "bob@example.org"
    assert bob.language == "fr"  # the language the person was reading in
    account_page = await client.get("/account")
    assert account_page.status_code == 200
    assert "bob@example.org" in account_page.text
    assert "Bienvenue" in account_page.text  # the flash, shown once
    assert "Bienvenue" not in (await client.get("/account")).text


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/", "/\\evil.example", "/%2F%2Fevil", ""]
)
async def test_signup_only_follows_local_next(
    client: httpx.AsyncClient, db: Database, target: str
) -> None:
    response = await submit(client, "/signup", {**SIGNUP, "next": target})
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "x" * 10_000}, "username", "1 to 64 characters"),
        ({"username": "Bad Name!"}, "username", "1 to 64 characters"),
        ({"username": "admin"}, "username", "reserved"),
        ({"display_name": "d" * 300}, "display_name", "too long"),
        ({"email": "not-an-address"}, "email", "valid e-mail"),
        ({"email": "e" * 1000 + "@example.org"}, "email", "valid e-mail"),
        ({"password": "short"}, "password", "10 to 1024"),
        ({"password": "p" * 5000}, "password", "10 to 1024"),
    ],
)
async def test_signup_refuses_bad_fields_with_a_form_error(
    client: httpx.AsyncClient, db: Database, changes: dict[str, str], field: str, message: str
) -> None:
    response = await submit(client, "/signup", {**SIGNUP, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert f'id="f-{field}-error"' in response.text
    assert not await Account.exists()
    assert "p" * 100 not in response.text  # passwords are never echoed back


async def test_signup_refuses_a_taken_username_or_email(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user("bob", email="other@example.org")
    taken_name = await submit(client, "/signup", SIGNUP)
    assert taken_name.status_code == 400
    assert "already taken" in taken_name.text
    taken_email = await submit(
        client, "/signup", {**SIGNUP, "username": "bobby", "email": "other@example.org"}
    )
    assert taken_email.status_code == 400
    assert "already exists" in taken_email.text
    assert await Account.all().count() == 1


async def test_signup_is_refused_when_registrations_are_closed(
    client: httpx.AsyncClient, db: Database
) -> None:
    page = await client.get("/signup")
    await set_setting(REGISTRATIONS_OPEN, False)
    closed = await client.get("/signup")
    assert closed.status_code == 403
    assert "Registrations are closed" in closed.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    posted = await client.post(
        "/signup", data={**SIGNUP, "csrf_token": token}, headers={"origin": "https://fedimob.test"}
    )
    assert posted.status_code == 403
    assert not await Account.exists()


async def test_login_says_the_same_for_unknown_names_and_wrong_passwords(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    wrong = await submit(client, "/login", {"username": "alice", "password": "wrong password"})
    unknown = await submit(client, "/login", {"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 400
    message = "This username and password do not match an account."
    assert message in wrong.text
    assert message in unknown.text
    assert (await client.get("/account")).status_code == 303


async def test_login_goes_to_a_safe_next(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    redirect = await client.get("/account")
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/login?next=/account"
    response = await submit(
        client, "/login", {"username": "alice", "password": PASSWORD, "next": "/account"}
    )
    assert response.headers["location"] == "/account"
    assert (await client.get("/login")).status_code == 303  # already logged in


async def test_login_is_throttled_per_username(
    client: httpx.AsyncClient, app: Starlette, db: Database
) -> None:
    await make_user()
    for _ in range(8):
        await submit(client, "/login", {"username": " Alice", "password": "wrong password"})
    blocked = await submit(client, "/login", {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    # Another name from the same address is not slowed by it...
    await make_user("carol")
    response = await log_in(client, "carol")
    assert response.status_code == 303
    # ...and alice, from her own address, is not locked out by whoever failed on purpose.
    elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=elsewhere, base_url=str(client.base_url)) as own:
        assert (await log_in(own, "alice")).status_code == 303


async def test_login_is_throttled_per_address(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    for number in range(30):
        await submit(client, "/login", {"username": f"guess{number}", "password": "nope nope"})
    blocked = await submit(client, "/login", {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/campaigns/a?b=c", "/campaigns/a?b=c"),
        ("/", "/"),
        ("//evil.example", "/"),
        ("/%2fevil", "/"),
        ("/%5Cevil", "/"),
        ("/\\evil", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/a\r\nSet-Cookie: x", "/"),
        ("/%0d%0a", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


async def test_an_ipv6_subscriber_counts_as_one_address(
    app: Starlette, settings: Settings, db: Database
) -> None:
    """Every address of one /64 shares the allowance: no fresh 30 failures per address."""
    await make_user()
    for number in range(30):
        guesser = httpx.ASGITransport(app=app, client=(f"2001:db8:1:2::{number + 1:x}", 1))
        async with httpx.AsyncClient(transport=guesser, base_url=settings.url) as one:
            wrong = {"username": f"guess{number}", "password": "nope nope"}
            assert (await submit(one, "/login", wrong)).status_code == 400
    last = httpx.ASGITransport(app=app, client=("2001:db8:1:2:ffff::1", 1))
    async with httpx.AsyncClient(transport=last, base_url=settings.url) as one:
        blocked = await submit(one, "/login", {"username": "alice", "password": PASSWORD})
        assert blocked.status_code == 429
    neighbour = httpx.ASGITransport(app=app, client=("2001:db8:1:3::1", 1))  # another /64
    async with httpx.AsyncClient(transport=neighbour, base_url=settings.url) as other:
        assert (await log_in(other, "alice")).status_code == 303
