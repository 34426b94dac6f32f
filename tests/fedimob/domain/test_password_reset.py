"""Password reset tokens, asking for one, and using one."""

import asyncio
import contextlib
from datetime import timedelta

import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.accounts import authenticate, disable_account, record_login
from fedimob.domain.password_reset import (
    CHANGED_MAIL_JOB,
    LIFETIME,
    RESET_MAIL_JOB,
    account_for_token,
    request_password_reset,
    reset_link,
    reset_password,
    reset_token,
)
from fedimob.domain.sessions import create_session, load_session, new_token
from fedimob.errors import NotFound, PermissionDenied, ValidationError
from fedimob.models import Account, Job
from fedimob.settings import Settings
from tests.web.forms import PASSWORD, make_user

SECRET = "s" * 40
NEW = "a brand new passphrase"


async def token_for(account: Account, *, after: timedelta = LIFETIME) -> str:
    return reset_token(SECRET, account, utcnow() + after)


async def test_a_token_opens_its_account(db: Database) -> None:
    alice = await make_user("alice")
    await make_user("bob")
    token = await token_for(alice)
    assert (await account_for_token(SECRET, token)).id == alice.id
    assert len(token) < 100
    assert token.isascii()


async def test_a_token_expires_after_the_hour(db: Database) -> None:
    alice = await make_user()
    token = await token_for(alice)
    assert await account_for_token(SECRET, token, now=utcnow() + LIFETIME - timedelta(seconds=5))
    with pytest.raises(NotFound):
        await account_for_token(SECRET, token, now=utcnow() + LIFETIME + timedelta(seconds=1))


async def test_a_token_promising_more_than_an_hour_was_not_made_here(db: Database) -> None:
    alice = await make_user()
    far = reset_token(SECRET, alice, utcnow() + timedelta(days=30))  # as if forged with the key
    with pytest.raises(NotFound):
        await account_for_token(SECRET, far)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the MAC
        lambda t: t.split(".")[0] + "." + str(int(t.split(".")[1]) + 60) + "." + t.split(".")[2],
        lambda t: "",
        lambda t: "x" * 10_000,
        lambda t: t + "A" * 200,
        lambda t: "garbage",
        lambda t: "1.2.3",
        lambda t: "..",
        lambda t: "0." + t.split(".", 1)[1],
        lambda t: "-1." + t.split(".", 1)[1],
        lambda t: "9" * 19 + "." + t.split(".", 1)[1],  # past BIGINT
        lambda t: t.replace(".", "%2E"),
        lambda t: t[:-1] + "é",
        lambda t: "\u0661." + t.split(".", 1)[1],  # an Arabic-Indic 1: int() would take it
        lambda t: t + "\n",
        lambda t: " " + t,
    ],
    ids=[
        "mac", "expiry", "empty", "oversized", "long-mac", "garbage", "short", "dots",
        "zero-id", "negative-id", "huge-id", "encoded", "non-ascii", "other-digits",
        "newline", "space",
    ],
)  # fmt: skip
async def test_a_tampered_token_opens_nothing(db: Database, tamper: object) -> None:
    alice = await make_user()
    token = await token_for(alice)
    with pytest.raises(NotFound):
        await account_for_token(SECRET, tamper(token))  # type: ignore[operator]


async def test_a_token_is_for_one_account_and_one_instance(db: Database) -> None:
    alice, bob = await make_user("alice"), await make_user("bob")
    token = await token_for(alice)
    other = f"{bob.id}." + token.split(".", 1)[1]
    with pytest.raises(NotFound):
        await account_for_token(SECRET, other)
    with pytest.raises(NotFound):
        await account_for_token("t" * 40, token)


async def test_a_token_dies_when_the_password_or_address_changes_or_at_a_login(
    db: Database,
) -> None:
    alice = await make_user()
    token = await token_for(alice)
    await Account.filter(id=alice.id).update(password_hash="$argon2id$other")
    with pytest.raises(NotFound):
        await account_for_token(SECRET, token)

    bob = await make_user("bob")
    token = await token_for(bob)
    await Account.filter(id=bob.id).update(email="bob@elsewhere.example")
    with pytest.raises(NotFound):
        await account_for_token(SECRET, token)

    carol = await make_user("carol")
    token = await token_for(carol)
    await record_login(carol)  # she remembered it: the link she asked for dies
    with pytest.raises(NotFound):
        await account_for_token(SECRET, token)


async def test_a_suspended_account_cannot_reset(db: Database, settings: Settings) -> None:
    alice = await make_user()
    token = await token_for(alice)
    await disable_account(alice)
    with pytest.raises(NotFound):
        await account_for_token(SECRET, token)
    with pytest.raises(NotFound):
        await reset_password(SECRET, token, NEW)
    with pytest.raises(PermissionDenied):
        reset_link(settings, alice)
    await request_password_reset("alice@example.org")
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 0


async def test_asking_queues_one_mail_for_an_account_that_may_reset(db: Database) -> None:
    alice = await make_user()
    await request_password_reset("  ALICE@Example.ORG ")  # any case, spaces around
    job = await Job.get(kind=RESET_MAIL_JOB)
    assert job.payload["account_id"] == alice.id
    assert set(job.payload) == {"account_id", "expires_at"}  # no token, no address stored
    await request_password_reset("alice@example.org")  # its mail is still queued
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 1


@pytest.mark.parametrize(
    "email", ["nobody@example.org", "alice@example.org.evil", "alice@exa mple.org"]
)
async def test_asking_for_an_unknown_address_queues_nothing(db: Database, email: str) -> None:
    await make_user()
    # Not an address at all: the form says so, whoever owns what.
    with contextlib.suppress(ValidationError):
        await request_password_reset(email)
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 0


async def test_a_login_less_account_gets_no_mail_but_an_admin_link_works(
    db: Database, settings: Settings
) -> None:
    volunteer = await make_user("volunteer", password=None)  # type: ignore[arg-type]
    await request_password_reset("volunteer@example.org")
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 0
    link = reset_link(settings, volunteer)
    assert link.startswith("https://fedimob.test/password/reset/")
    await reset_password(settings.secret_key, link.rsplit("/", 1)[1], NEW)
    assert await authenticate("volunteer", NEW) is not None


@pytest.mark.parametrize(
    "email",
    [
        "x" * 100_000 + "@example.org",
        "alice@example.org\r\nBcc: victim@example.org",
        "alice@example.org%0d%0aBcc:victim@example.org",
        "alice\x00@example.org",  # PostgreSQL cannot even compare with a NUL
        "alice\x7f@example.org",
        "",
        "alice",
    ],
)
async def test_hostile_addresses_are_refused_before_anything(db: Database, email: str) -> None:
    await make_user()
    with pytest.raises(ValidationError):
        await request_password_reset(email)
    assert await Job.filter(kind=RESET_MAIL_JOB).count() == 0


async def test_resetting_sets_the_password_ends_sessions_and_tells_the_person(
    db: Database,
) -> None:
    alice = await make_user()
    cookie = new_token()
    await create_session(cookie, csrf_token=new_token(), account=alice)
    token = await token_for(alice)
    await reset_password(SECRET, token, NEW)
    assert await authenticate("alice", NEW) is not None
    assert await authenticate("alice", PASSWORD) is None
    assert await load_session(cookie) is None
    notice = await Job.get(kind=CHANGED_MAIL_JOB)
    assert notice.payload["account_id"] == alice.id
    with pytest.raises(NotFound):  # once
        await reset_password(SECRET, token, "yet another passphrase")
    assert await authenticate("alice", NEW) is not None


async def test_a_refused_password_leaves_the_token_usable(db: Database) -> None:
    alice = await make_user()
    token = await token_for(alice)
    for weak in ("short", "x" * 2000):
        with pytest.raises(ValidationError):
            await reset_password(SECRET, token, weak)
    assert await Job.filter(kind=CHANGED_MAIL_JOB).count() == 0
    await reset_password(SECRET, token, NEW)
    assert await authenticate("alice", NEW) is not None


async def test_two_tabs_racing_with_one_token_cannot_both_win(db: Database) -> None:
    alice = await make_user()
    token = await token_for(alice)
    results = await asyncio.gather(
        reset_password(SECRET, token, "first new passphrase"),
        reset_password(SECRET, token, "second new passphrase"),
        return_exceptions=True,
    )
    assert sum(isinstance(result, Account) for result in results) == 1
    assert sum(isinstance(result, NotFound) for result in results) == 1
    assert await Job.filter(kind=CHANGED_MAIL_JOB).count() == 1
    won = "first" if isinstance(results[0], Account) else "second"
    assert await authenticate("alice", f"{won} new passphrase") is not None
