import httpx
import pytest

from activitypub.testing import FakeFediverse
from fedimob.db import Database
from fedimob.domain.account_deletion import ACCOUNT_DELETED_JOB
from fedimob.domain.accounts import authenticate
from fedimob.domain.associations import add_member
from fedimob.domain.notices import notify
from fedimob.domain.participation import join
from fedimob.domain.sessions import load_session
from fedimob.federation.remote_actors import store_remote_actor
from fedimob.jobs.worker import Worker
from fedimob.models import (
    Account,
    Actor,
    Campaign,
    Follow,
    FollowState,
    Handle,
    Job,
    JoinVia,
    MemberRole,
    Notice,
    Participation,
    WebSession,
)
from tests.fedimob.factories import make_association, make_campaign
from tests.web.forms import ORIGIN, PASSWORD, log_in, make_user, submit

NEW_PASSWORD = "a brand new passphrase"


@pytest.mark.parametrize("path", ["/account", "/account/export", "/account/delete"])
async def test_account_pages_need_a_login(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


async def test_account_page_shows_the_email_which_is_public_nowhere(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await log_in(client)
    page = await client.get("/account")
    assert "alice@example.org" in page.text
    assert "Log out" in page.text
    assert "alice@example.org" not in (await client.get("/users/alice")).text


async def test_changing_the_password_ends_other_sessions(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as phone:
        phone_token = (await log_in(phone)).cookies["fedimob_session"]
        laptop_token = (await log_in(client)).cookies["fedimob_session"]
        changed = await submit(
            client,
            "/account/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            page="/account",
        )
        assert changed.status_code == 303
        assert await load_session(phone_token) is None
        assert (await phone.get("/account")).status_code == 303
        assert await load_session(laptop_token) is None  # this browser got a fresh token
        page = await client.get("/account")
        assert page.status_code == 200
        assert "Your password is changed" in page.text
    assert await authenticate("alice", NEW_PASSWORD) is not None
    assert await authenticate("alice", PASSWORD) is None


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("not my password", NEW_PASSWORD, "current password is not right"),
        (PASSWORD, "short", "10 to 1024"),
        (PASSWORD, "x" * 5000, "10 to 1024"),
    ],
)
async def test_password_change_refusals(
    client: httpx.AsyncClient, db: Database, current: str, new: str, message: str
) -> None:
    await make_user()
    await log_in(client)
    response = await submit(
        client,
        "/account/password",
        {"current_password": current, "new_password": new},
        page="/account",
    )
    assert response.status_code == 400
    assert message in response.text
    assert await authenticate("alice", PASSWORD) is not None


async def test_export_has_the_persons_data(client: httpx.AsyncClient, db: Database) -> None:
    alice = await make_user()
    association = await make_association(username="rivers")
    await add_member(association, alice, MemberRole.ORGANISER)
    campaign = await make_campaign(association, slug="cleanup", title="Clean-up")
    await join(campaign, await alice.actor, via=JoinVia.WEB, pledge_minutes=60)
    await notify(alice.id, "reminder", "Tomorrow: clean-up")
    await log_in(client)
    response = await client.get("/account/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["email"] == "alice@example.org"
    assert [p["campaign"] for p in data["participations"]] == ["cleanup"]
    assert data["participations"][0]["pledge_minutes"] == 60
    assert [m["association"] for m in data["memberships"]] == ["rivers"]
    assert [n["text"] for n in data["notices"]] == ["Tomorrow: clean-up"]
    assert "password" not in response.text


async def test_deleting_needs_the_password(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    await log_in(client)
    response = await submit(client, "/account/delete", {"password": "not my password"})
    assert response.status_code == 400
    assert "nothing was erased" in response.text
    assert await Account.exists(username="alice")


async def test_the_last_owner_hands_over_before_deleting(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    bob = await make_user("bob")
    river = await make_association(alice, "river")
    await make_association(alice, "alone")  # no one else there: no reason to stay
    await add_member(river, bob, MemberRole.ORGANISER)
    await log_in(client)
    refused = await submit(client, "/account/delete", {"password": PASSWORD})
    assert refused.status_code == 409
    assert "nothing was erased" in refused.text
    assert "last owner of Test association" in refused.text
    assert 'role="alert"' in refused.text
    assert await Account.exists(username="alice")
    await add_member(river, bob, MemberRole.OWNER)  # handed over (now two owners)
    erased = await submit(client, "/account/delete", {"password": PASSWORD})
    assert erased.status_code == 200
    assert not await Account.exists(username="alice")


async def test_deleting_erases_the_account_and_tells_the_fediverse(
    client: httpx.AsyncClient, db: Database, fediverse: FakeFediverse, worker: Worker
) -> None:
    # Not verifying here: the key is fetched fresh by the fake peer, and the
    # erased actor's document is gone (Mastodon uses the key it has cached).
    mastodon = fediverse.add_peer("mastodon.example")
    bob = mastodon.add_actor("bob")
    alice = await make_user()
    actor = await alice.actor
    follower = await store_remote_actor(bob.document())
    await Follow.create(follower=follower, followed=actor, state=FollowState.ACCEPTED)
    campaign = await make_campaign(slug="cleanup")
    await join(campaign, actor, via=JoinVia.WEB, pledge_minutes=60)
    await notify(alice.id, "reminder", "Tomorrow: clean-up")
    await log_in(client)
    response = await submit(client, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 200
    assert "Your account is deleted" in response.text
    assert not await Account.exists(username="alice")
    assert not await WebSession.exists()
    assert not await Notice.exists()
    assert not await Participation.exists()
    assert (await Campaign.get(id=campaign.id)).participants_count == 0  # decreased once
    tombstone = await Actor.get(id=actor.id)
    assert tombstone.deleted_at is not None
    assert await Handle.exists(name="alice")  # the name is never given to someone else
    assert (await client.get("/users/alice")).status_code == 404  # the page
    gone = await client.get("/users/alice", headers={"accept": "application/activity+json"})
    assert gone.status_code == 410  # the actor: gone for good, so servers drop their copy
    assert gone.json()["type"] == "Tombstone"
    assert gone.json()["id"] == "https://fedimob.test/users/alice"
    assert await Job.exists(kind=ACCOUNT_DELETED_JOB)
    await worker.run_once()
    await worker.run_once()
    [delete] = [d for d in mastodon.accepted if d.activity["type"] == "Delete"]
    assert (
        delete.activity["object"] == delete.activity["actor"] == "https://fedimob.test/users/alice"
    )
    assert 'keyId="https://fedimob.test/users/alice#main-key"' in delete.headers["signature"]
    assert (await client.get("/account")).status_code == 303


async def test_a_deleted_name_cannot_sign_up_again(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    await log_in(client)
    await submit(client, "/account/delete", {"password": PASSWORD})
    again = await submit(
        client,
        "/signup",
        {"username": "alice", "email": "alice@example.org", "password": PASSWORD},
    )
    assert again.status_code == 400
    assert "already taken" in again.text


async def test_wrong_passwords_while_logged_in_are_throttled(
    client: httpx.AsyncClient, db: Database
) -> None:
    """A stolen session is no way to guess the password: 8 wrong ones, then a pause."""
    await make_user()
    await log_in(client)
    for _ in range(4):
        wrong = {"current_password": "not it at all", "new_password": NEW_PASSWORD}
        assert (
            await submit(client, "/account/password", wrong, page="/account")
        ).status_code == 400
        refused = await submit(client, "/account/delete", {"password": "not it at all"})
        assert refused.status_code == 400
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    blocked = await submit(client, "/account/password", right, page="/account")
    assert blocked.status_code == 429
    assert "Too many wrong passwords" in blocked.text
    assert (await submit(client, "/account/delete", {"password": PASSWORD})).status_code == 429
    assert await authenticate("alice", PASSWORD) is not None  # nothing changed


async def test_a_password_change_is_mailed_to_the_owner(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    await log_in(client)
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (await submit(client, "/account/password", form, page="/account")).status_code == 303
    [job] = await Job.filter(kind="mail.password_changed")
    assert job.payload["account_id"] == alice.id
