"""/admin/accounts: the list, search, filter and pages; suspending, reinstating, admin rights."""

import logging
from urllib.parse import quote

import httpx
import pytest

from fedimob.db import Database
from fedimob.models import Account
from tests.fedimob.factories import make_account
from tests.web.admins import log_in_admin, log_in_volunteer
from tests.web.forms import ORIGIN, PASSWORD, csrf_from, log_in, make_user, submit

AS2 = "application/activity+json"
PATH = "/admin/accounts"


def action_path(account: Account, action: str) -> str:
    return f"{PATH}/{account.id}/{action}"


async def confirm(
    client: httpx.AsyncClient, account: Account, action: str, query: str = "", **data: str
) -> httpx.Response:
    """Open the confirmation page, post its form; the answer (a redirect, or the page again)."""
    path = action_path(account, action) + query
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return await client.post(
        path, data={"csrf_token": csrf_from(page.text), **data}, headers={"origin": ORIGIN}
    )


async def done(client: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """The list shown after an action, with its message."""
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(PATH)
    return await client.get(response.headers["location"])


def another(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url=ORIGIN)


# Who may see the page


async def test_visitors_are_sent_to_log_in(client: httpx.AsyncClient, db: Database) -> None:
    bob = await make_account("bob")
    for path in (PATH, f"{PATH}?q=bob&status=suspended", action_path(bob, "suspend")):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={quote(path, safe='/')}"
    response = await client.post(
        action_path(bob, "suspend"), data={"reason": "x"}, headers={"origin": ORIGIN}
    )
    assert response.status_code == 403  # no session, no token
    assert (await Account.get(id=bob.id)).is_active


async def test_people_who_are_not_admins_get_403_and_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    vera = await log_in_volunteer(client)
    admin = await make_account("ada", is_admin=True)
    assert (await client.get(PATH)).status_code == 403
    for action in ("suspend", "revoke_admin", "grant_admin"):
        target = admin if action != "grant_admin" else vera
        page = await client.get(action_path(target, action))
        assert page.status_code == 403
        assert "Admins only" in page.text
        response = await submit(
            client, action_path(target, action), {"reason": "coup"}, page="/account"
        )
        assert response.status_code == 403
    assert (await Account.get(id=admin.id)).is_active
    assert (await Account.get(id=admin.id)).is_admin
    assert not (await Account.get(id=vera.id)).is_admin


# The list


async def test_the_list_shows_what_admins_need_and_the_public_never_sees_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user("bob", display_name="Bob <b>Builder</b>")
    await log_in_admin(client)
    page = await client.get(PATH)
    assert page.status_code == 200
    assert 'aria-current="page"' in page.text
    assert "2 accounts" in page.text
    assert "bob@example.org" in page.text
    assert "margot@example.org" in page.text
    assert "Bob &lt;b&gt;Builder&lt;/b&gt;" in page.text  # escaped, never markup
    assert "never" in page.text  # bob never logged in
    assert "UTC" in page.text
    margot_row = page.text.split('id="account-')[2]
    assert "@margot" in margot_row
    assert "(you)" in margot_row
    assert "admin</span>" in margot_row
    assert "/suspend" not in margot_row  # no actions on oneself
    async with another(client) as visitor:
        public = await visitor.get("/users/bob")
        assert public.status_code == 200
        assert "bob@example.org" not in public.text


async def test_search_is_case_insensitive_over_username_name_and_email(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_account("camille", display_name="Camille Durand")
    await make_account("dominique", display_name="Dom")
    await log_in_admin(client)
    searches = [("CAMI", "@camille"), ("durAND", "@camille"), ("DOMINIQUE@EX", "@dominique")]
    for query, expected in searches:
        page = await client.get(PATH, params={"q": query})
        assert page.status_code == 200
        assert "1 account" in page.text
        assert expected in page.text
        assert f'value="{query}"' in page.text  # the search stays in its box
    nothing = await client.get(PATH, params={"q": "zzz"})
    assert "No account matches." in nothing.text


async def test_filter_by_status_and_the_overview_links_to_the_suspended(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_account("amy")
    await make_account("gus")
    await log_in_admin(client)
    gus = await Account.get(username="gus")
    await done(client, await confirm(client, gus, "suspend", reason="spam"))
    overview = await client.get("/admin")
    assert f'href="{PATH}?status=suspended"' in overview.text
    assert "suspended: 1" in overview.text
    suspended = await client.get(PATH, params={"status": "suspended"})
    assert "@gus" in suspended.text
    assert "@amy" not in suspended.text
    assert '<option value="suspended" selected>' in suspended.text
    active = await client.get(PATH, params={"status": "active"})
    assert "@amy" in active.text
    assert "@gus" not in active.text
    both = await client.get(PATH, params={"status": "suspended", "q": "amy"})
    assert "No account matches." in both.text


async def test_pages_of_fifty_with_the_search_kept(client: httpx.AsyncClient, db: Database) -> None:
    for number in range(52):
        await make_account(f"user{number:02d}")
    await log_in_admin(client)
    first = await client.get(PATH, params={"q": "user"})
    assert "52 accounts" in first.text
    assert "Page 1 of 2" in first.text
    assert "@user49" in first.text
    assert "@user50" not in first.text
    assert f'href="{PATH}?q=user&amp;page=2" rel="next"' in first.text
    second = await client.get(PATH, params={"q": "user", "page": "2"})
    assert "Page 2 of 2" in second.text
    assert "@user50" in second.text
    assert "@user49" not in second.text
    assert f'href="{PATH}?q=user" rel="prev"' in second.text
    # Action links keep the list's place, so the admin comes back to it.
    user51 = await Account.get(username="user51")
    assert f'href="{PATH}/{user51.id}/suspend?q=user&amp;page=2"' in second.text
    answer = await confirm(client, user51, "suspend", "?q=user&page=2", reason="spam")
    assert answer.headers["location"] == f"{PATH}?q=user&page=2"


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00%01%02",
        "?q=%25%5F%25",
        "?q=" + "x" * 20_000,
        "?q=%ED%A0%80",  # a lone surrogate, encoded
        "?q=<script>alert(1)</script>",
        "?status=evil&page=-1",
        "?page=99999999999999999999999",
        "?page=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int
        "?page=abc&page=2&status=suspended&status=active",
        "?q[]=1&q=bob",
    ],
)
async def test_hostile_and_oversized_query_strings_show_the_list(
    client: httpx.AsyncClient, db: Database, query: str
) -> None:
    await log_in_admin(client)
    page = await client.get(PATH + query)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "\x00" not in page.text


# Suspending and reinstating


async def test_suspending_logs_out_and_reinstating_lets_them_back_in(
    client: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    caplog.set_level(logging.INFO, logger="fedimob.audit")
    async with another(client) as bobs:
        await log_in(bobs, "bob")
        assert (await bobs.get("/account")).status_code == 200
        question = await client.get(action_path(bob, "suspend"))
        assert "Suspend @bob?" in question.text
        assert "bob@example.org" in question.text
        assert (await Account.get(id=bob.id)).is_active  # asking changes nothing
        page = await done(client, await confirm(client, bob, "suspend", reason="spam\nlinks"))
        assert "The account @bob is suspended: it can no longer log in." in page.text
        assert "admin margot suspended account bob (reason: 'spam links')" in caplog.text
        assert (await bobs.get("/account")).status_code == 303  # logged out
        login = await submit(bobs, "/login", {"username": "bob", "password": PASSWORD})
        assert login.status_code == 400
        assert (await bobs.get("/users/bob", headers={"accept": AS2})).status_code == 404

        page = await done(client, await confirm(client, bob, "reinstate"))
        assert "The account @bob is reinstated: it can log in again." in page.text
        assert "admin margot reinstated account bob" in caplog.text
        await log_in(bobs, "bob")
        assert (await bobs.get("/account")).status_code == 200
        assert (await bobs.get("/users/bob", headers={"accept": AS2})).status_code == 200
    bob_now = await Account.get(id=bob.id)
    assert (bob_now.is_active, bob_now.is_admin) == (True, False)


@pytest.mark.parametrize(
    "reason", ["", "   \n ", "\x00\x07\x1b", "r" * 1001, "r" * 100_000, "\x00" * 1001 + "r" * 1001]
)
async def test_a_suspension_needs_a_reason(
    client: httpx.AsyncClient, db: Database, reason: str
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    answer = await confirm(client, bob, "suspend", reason=reason)
    assert answer.status_code == 400
    assert "Give the reason for the suspension" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "\x00" not in answer.text
    assert len(answer.text) < 50_000  # an oversized reason is not echoed whole
    assert (await Account.get(id=bob.id)).is_active


async def test_control_characters_in_a_reason_are_dropped_from_the_audit_line(
    client: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    caplog.set_level(logging.INFO, logger="fedimob.audit")
    await done(client, await confirm(client, bob, "suspend", reason="sp\x00am\x1b[31m\nnext"))
    assert "suspended account bob (reason: 'spam[31m next')" in caplog.text
    assert not (await Account.get(id=bob.id)).is_active


async def test_the_reason_field_missing_altogether_is_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    answer = await confirm(client, bob, "suspend", unrelated="x" * 5000)
    assert answer.status_code == 400
    assert (await Account.get(id=bob.id)).is_active


async def test_actions_that_no_longer_apply_say_so(client: httpx.AsyncClient, db: Database) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    question = await client.get(action_path(bob, "reinstate"))
    assert question.status_code == 303
    page = await client.get(question.headers["location"])
    assert "The account @bob was not suspended." in page.text
    # A confirmation page left open while another admin already did it:
    open_page = await client.get(action_path(bob, "suspend"))
    await done(client, await confirm(client, bob, "suspend", reason="first"))
    late = await client.post(
        action_path(bob, "suspend"),
        data={"csrf_token": csrf_from(open_page.text), "reason": "second"},
        headers={"origin": ORIGIN},
    )
    assert "The account @bob was already suspended." in (await done(client, late)).text
    granted = await client.get(action_path(bob, "grant_admin"))
    assert granted.status_code == 303
    page = await client.get(granted.headers["location"])
    assert "@bob is suspended: reinstate the account first." in page.text
    late = await client.post(
        action_path(bob, "grant_admin"),
        data={"csrf_token": csrf_from(open_page.text)},
        headers={"origin": ORIGIN},
    )
    assert "@bob is suspended: reinstate the account first." in (await done(client, late)).text
    assert not (await Account.get(id=bob.id)).is_admin


# Admin rights


async def test_granting_and_revoking_admin_rights(
    client: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    caplog.set_level(logging.INFO, logger="fedimob.audit")
    async with another(client) as bobs:
        await log_in(bobs, "bob")
        assert (await bobs.get("/admin")).status_code == 403
        question = await client.get(action_path(bob, "grant_admin"))
        assert "Make @bob an admin?" in question.text
        page = await done(client, await confirm(client, bob, "grant_admin"))
        assert "@bob is now an admin." in page.text
        assert "admin margot granted admin rights to bob" in caplog.text
        assert (await bobs.get("/admin")).status_code == 200
        assert f'href="{action_path(bob, "revoke_admin")}"' in page.text

        page = await done(client, await confirm(client, bob, "revoke_admin"))
        assert "@bob is no longer an admin." in page.text
        assert "admin margot revoked the admin rights of bob" in caplog.text
        assert (await bobs.get("/admin")).status_code == 403
        assert (await bobs.get("/account")).status_code == 200  # still their account


async def test_nobody_suspends_themselves_or_removes_their_own_rights(
    client: httpx.AsyncClient, db: Database
) -> None:
    margot = await log_in_admin(client)
    for action, message in [
        ("suspend", "You cannot suspend your own account."),
        ("revoke_admin", "You cannot remove your own admin rights."),
    ]:
        question = await client.get(action_path(margot, action))
        assert question.status_code == 303
        assert message in (await client.get(question.headers["location"])).text
        token = csrf_from((await client.get(PATH)).text)
        forced = await client.post(
            action_path(margot, action),
            data={"csrf_token": token, "reason": "by hand"},
            headers={"origin": ORIGIN},
        )
        assert message in (await done(client, forced)).text
    margot_now = await Account.get(id=margot.id)
    assert (margot_now.is_active, margot_now.is_admin) == (True, True)


async def test_the_last_admin_keeps_their_rights_and_two_admins_each_keep_the_other(
    client: httpx.AsyncClient, db: Database
) -> None:
    margot = await log_in_admin(client)
    token = csrf_from((await client.get(PATH)).text)
    alone = await client.post(
        action_path(margot, "revoke_admin"), data={"csrf_token": token}, headers={"origin": ORIGIN}
    )
    await done(client, alone)
    assert await Account.filter(is_admin=True, is_active=True).count() == 1
    ben = await make_user("ben", is_admin=True)
    async with another(client) as bens:
        await log_in(bens, "ben")
        await done(client, await confirm(client, ben, "revoke_admin"))
        # ben is logged in still, but no longer an admin: what he posts is refused.
        refused = await submit(bens, action_path(margot, "revoke_admin"), {}, page="/account")
        assert refused.status_code == 403
    margot_now = await Account.get(id=margot.id)
    assert (margot_now.is_active, margot_now.is_admin) == (True, True)


# Refused requests


@pytest.mark.parametrize(
    "path",
    [
        f"{PATH}/999999/suspend",
        f"{PATH}/0/reinstate",
        f"{PATH}/{2**63}/grant_admin",
        f"{PATH}/{'9' * 400}/revoke_admin",
        f"{PATH}/x/suspend",
        f"{PATH}/-1/suspend",
        f"{PATH}/1/delete",
        f"{PATH}/1/%00",
        f"{PATH}/1",
    ],
)
async def test_unknown_accounts_and_actions_are_404(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    await log_in_admin(client)
    assert (await client.get(path)).status_code in {404, 405}
    token = csrf_from((await client.get(PATH)).text)
    answer = await client.post(
        path, data={"csrf_token": token, "reason": "x"}, headers={"origin": ORIGIN}
    )
    assert answer.status_code in {404, 405}
    assert await Account.filter(is_active=True, is_admin=True).count() == 1


@pytest.mark.parametrize(
    "back",
    [
        "?q=%0d%0aLocation:%20https://evil.example",
        "?page=//evil.example&status=suspended",
        "?q=" + "y" * 10_000,
        "?status=%00",
    ],
)
async def test_the_way_back_is_always_the_list(
    client: httpx.AsyncClient, db: Database, back: str
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    answer = await confirm(client, bob, "suspend", back, reason="spam")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == PATH or location.startswith(PATH + "?")
    assert "evil.example" not in location.split("?", 1)[0]
    assert "\r" not in location
    assert "\n" not in location
    assert len(location) < 600
    assert not (await Account.get(id=bob.id)).is_active


async def test_forms_without_the_csrf_token_or_from_elsewhere_are_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    for action in ("suspend", "grant_admin"):
        path = action_path(bob, action)
        missing = await client.post(path, data={"reason": "x"}, headers={"origin": ORIGIN})
        assert missing.status_code == 403
        assert "This form has expired" in missing.text
        token = csrf_from((await client.get(PATH)).text)
        wrong = await client.post(
            path, data={"reason": "x", "csrf_token": token + "x"}, headers={"origin": ORIGIN}
        )
        assert wrong.status_code == 403
        elsewhere = await client.post(
            path,
            data={"reason": "x", "csrf_token": token},
            headers={"origin": "https://evil.example"},
        )
        assert elsewhere.status_code == 403
    bob_now = await Account.get(id=bob.id)
    assert (bob_now.is_active, bob_now.is_admin) == (True, False)


async def test_the_page_and_its_confirmations_in_french(
    client: httpx.AsyncClient, db: Database
) -> None:
    bob = await make_user("bob")
    await log_in_admin(client)
    await submit(client, "/language", {"language": "fr", "next": PATH}, page=PATH)
    page = await client.get(PATH)
    assert "Comptes" in page.text
    assert "Suspendre" in page.text
    question = await client.get(action_path(bob, "suspend"))
    assert "Suspendre @bob ?" in question.text
    refused = await client.post(
        action_path(bob, "suspend"),
        data={"csrf_token": csrf_from(question.text), "reason": ""},
        headers={"origin": ORIGIN},
    )
    assert "Donnez la raison de la suspension" in refused.text
    page = await done(client, await confirm(client, bob, "suspend", reason="spam"))
    assert "Le compte @bob est suspendu" in page.text
