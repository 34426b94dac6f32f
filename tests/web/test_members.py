import httpx
import pytest

from fedimob.db import Database
from fedimob.domain.associations import add_member, role_of
from fedimob.models import MemberRole, Membership
from tests.web.forms import log_in, make_user, submit
from tests.web.organisers import another_browser, organiser, organisers, post_without_token

MEMBERS = "/dashboard/associations/amis/members"


async def test_the_owner_adds_a_member_who_then_gets_a_dashboard(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    nina = await make_user("nina", display_name="Nina")
    page = await client.get(MEMBERS)
    assert page.status_code == 200
    assert "Camille" in page.text
    assert "Add a member" in page.text
    added = await submit(client, MEMBERS, {"username": "nina", "role": "organiser"})
    assert added.status_code == 303
    assert await role_of(nina, org.ours.id) == MemberRole.ORGANISER
    assert "nina is now a member." in (await client.get(MEMBERS)).text
    async with another_browser(client) as browser:
        await log_in(browser, "nina")
        assert 'href="/dashboard"' in (await browser.get("/")).text
        dashboard = await browser.get("/dashboard")
        assert "Test association" in dashboard.text
        assert "organiser" in dashboard.text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "ghost", "role": "organiser"}, "username", "There is no account"),
        ({"username": "x" * 5000, "role": "organiser"}, "username", "There is no account"),
        ({"username": "camille", "role": "owner"}, "username", "already a member"),
        ({"username": "nina", "role": "emperor"}, "role", "Choose a role"),
    ],
)
async def test_refusals_are_shown_next_to_their_field(
    client: httpx.AsyncClient, db: Database, form: dict[str, str], field: str, message: str
) -> None:
    await organiser(client)
    await make_user("nina")
    page = await submit(client, MEMBERS, form)
    assert page.status_code == 400
    error = page.text[page.text.index(f'id="f-{field}-error"') :]
    assert message in error[: error.index("</p>")]
    assert await Membership.all().count() == 1


async def test_roles_change_and_members_leave_but_the_last_owner_stays(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    nina = await make_user("nina")
    await add_member(org.ours, nina, MemberRole.ORGANISER)
    promoted = await submit(client, f"{MEMBERS}/{nina.id}/role", {"role": "owner"}, page=MEMBERS)
    assert promoted.status_code == 303
    assert await role_of(nina, org.ours.id) == MemberRole.OWNER
    removed = await submit(client, f"{MEMBERS}/{nina.id}/remove", {}, page=MEMBERS)
    assert removed.status_code == 303
    assert await role_of(nina, org.ours.id) is None
    last = await submit(
        client, f"{MEMBERS}/{org.owner.id}/role", {"role": "organiser"}, page=MEMBERS
    )
    assert "keeps at least one owner" in (await client.get(last.headers["location"])).text
    last = await submit(client, f"{MEMBERS}/{org.owner.id}/remove", {}, page=MEMBERS)
    assert "keeps at least one owner" in (await client.get(last.headers["location"])).text
    assert await role_of(org.owner, org.ours.id) == MemberRole.OWNER
    unknown = await submit(client, f"{MEMBERS}/{nina.id}/remove", {}, page=MEMBERS)
    assert unknown.status_code == 404
    bad_role = await submit(client, f"{MEMBERS}/{org.owner.id}/role", {"role": "x"}, page=MEMBERS)
    assert bad_role.status_code == 404


async def test_organisers_see_the_members_but_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    nina = await make_user("nina")
    await add_member(org.ours, nina, MemberRole.ORGANISER)
    await make_user("newcomer")
    async with another_browser(client) as browser:
        await log_in(browser, "nina")
        page = await browser.get(MEMBERS)
        assert page.status_code == 200
        assert "camille" in page.text
        assert "Add a member" not in page.text
        assert "/remove" not in page.text
        tried = [
            await submit(browser, MEMBERS, {"username": "newcomer", "role": "owner"}),
            await submit(browser, f"{MEMBERS}/{nina.id}/role", {"role": "owner"}, page=MEMBERS),
            await submit(browser, f"{MEMBERS}/{org.owner.id}/remove", {}, page=MEMBERS),
        ]
        assert [response.status_code for response in tried] == [403, 403, 403]
    assert await role_of(nina, org.ours.id) == MemberRole.ORGANISER
    assert await role_of(org.owner, org.ours.id) == MemberRole.OWNER
    assert await Membership.filter(association_id=org.ours.id).count() == 2


async def test_another_associations_owner_sees_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organisers(client)
    async with another_browser(client) as dana:
        await log_in(dana, "dana")
        own = "/dashboard/associations/autres/members"
        responses = [
            await dana.get(MEMBERS),
            await submit(dana, MEMBERS, {"username": "dana", "role": "owner"}, page=own),
            await submit(dana, f"{MEMBERS}/{org.owner.id}/role", {"role": "organiser"}, page=own),
            await submit(dana, f"{MEMBERS}/{org.owner.id}/remove", {}, page=own),
            # Our owner, through her own association's address: not found either.
            await submit(dana, f"{own}/{org.owner.id}/remove", {}, page=own),
        ]
        for response in responses:
            assert response.status_code == 404
            assert "camille" not in response.text
    assert await role_of(org.owner, org.ours.id) == MemberRole.OWNER
    assert await role_of(org.stranger, org.ours.id) is None


async def test_visitors_and_volunteers_are_kept_out(
    client: httpx.AsyncClient, db: Database
) -> None:
    await organiser(client)
    async with another_browser(client) as browser:
        assert (await browser.get(MEMBERS)).headers["location"] == f"/login?next={MEMBERS}"
        await make_user("vera")
        await log_in(browser, "vera")
        assert (await browser.get(MEMBERS)).status_code == 404
        assert (await browser.get("/dashboard/associations/nope/members")).status_code == 404


async def test_member_forms_without_their_token_are_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organiser(client)
    await make_user("nina")
    for path, data in (
        (MEMBERS, {"username": "nina", "role": "owner"}),
        (f"{MEMBERS}/{org.owner.id}/role", {"role": "organiser"}),
        (f"{MEMBERS}/{org.owner.id}/remove", {}),
    ):
        assert (await post_without_token(client, path, data)).status_code == 403
    assert await Membership.all().count() == 1
