"""/admin/reports: reading what other servers reported, closing reports, acting on them."""

import httpx
import pytest

from activitypub.testing import FakeActor, FakeFediverse
from fedimob.db import Database
from fedimob.domain.accounts import authenticate
from fedimob.federation.hosts import is_blocked
from fedimob.jobs.worker import Worker
from fedimob.models import Account, Report
from tests.fedimob.federation.conftest import new_id, post
from tests.web.admins import log_in_admin
from tests.web.forms import ORIGIN, PASSWORD, log_in, make_user, submit

BOB = "https://fedimob.test/users/bob"


@pytest.fixture
def reporter(fediverse: FakeFediverse) -> FakeActor:
    return fediverse.add_peer("mastodon.example").add_actor("carol")


async def flag(
    client: httpx.AsyncClient, worker: Worker, reporter: FakeActor, *objects: str
) -> Report:
    activity = {
        "id": new_id(reporter),
        "type": "Flag",
        "actor": reporter.id,
        "object": list(objects),
        "content": "<p>Spam <b>everywhere</b></p><script>alert(1)</script>",
    }
    assert (await post(client, "/inbox", activity, reporter)).status_code == 202
    await worker.run_once()
    return await Report.filter(activity_id=activity["id"]).get()


async def act(client: httpx.AsyncClient, report: Report, **data: str) -> httpx.Response:
    response = await submit(client, f"/admin/reports/{report.id}", data, page="/admin/reports")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/reports"
    return await client.get("/admin/reports")


async def test_a_report_shows_who_sent_it_what_it_says_and_what_it_names(
    client: httpx.AsyncClient, worker: Worker, db: Database, reporter: FakeActor
) -> None:
    await make_user("bob")
    report = await flag(client, worker, reporter, BOB, "https://fedimob.test/campaigns/nothing")
    await log_in_admin(client)
    page = await client.get("/admin/reports")
    assert f"Report {report.id}" in page.text
    assert reporter.id in page.text
    assert "mastodon.example" in page.text
    assert "Spam everywhere" in page.text  # as text: no markup of theirs
    assert "<script>alert" not in page.text
    assert "<b>everywhere" not in page.text
    assert f'<a href="{BOB}">' in page.text
    assert "Suspend @bob" in page.text
    assert "Block mastodon.example" in page.text
    assert "UTC" in page.text  # when it arrived


@pytest.mark.parametrize(("action", "message"), [("resolve", "resolved"), ("dismiss", "dismissed")])
async def test_closing_a_report_moves_it_to_the_closed_list(
    client: httpx.AsyncClient,
    worker: Worker,
    db: Database,
    reporter: FakeActor,
    action: str,
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await make_user("bob")
    report = await flag(client, worker, reporter, BOB)
    await log_in_admin(client)
    caplog.set_level("INFO", logger="fedimob.audit")
    page = await act(client, report, action=action)
    assert (
        f"The report is {'marked resolved' if action == 'resolve' else 'dismissed'}." in page.text
    )
    assert "No open report. Nothing to do." in page.text
    assert (await Report.get(id=report.id)).resolved_at is not None
    closed = await client.get("/admin/reports?closed=1")
    assert f"Report {report.id}" in closed.text
    assert "Suspend @bob" not in closed.text  # no actions on a closed report
    assert f"admin margot closed report {report.id} as {message}" in caplog.text
    again = await act(client, report, action="resolve")
    assert "This report was already closed." in again.text


async def test_suspending_an_account_named_ends_its_sessions(
    client: httpx.AsyncClient, worker: Worker, db: Database, reporter: FakeActor
) -> None:
    await make_user("bob")
    report = await flag(client, worker, reporter, BOB)
    async with httpx.AsyncClient(transport=client._transport, base_url=ORIGIN) as bobs:
        await log_in(bobs, "bob")
        assert (await bobs.get("/account")).status_code == 200
        await log_in_admin(client)
        page = await act(client, report, action="suspend", username="bob")
        assert "The account @bob is suspended: it can no longer log in." in page.text
        assert "suspended" in page.text
        assert (await bobs.get("/account")).status_code == 303  # logged out
    assert not (await Account.get(username="bob")).is_active
    assert await authenticate("bob", PASSWORD) is None
    assert (await Report.get(id=report.id)).resolved_at is None  # still open until closed


async def test_only_accounts_the_report_names_can_be_suspended_and_never_oneself(
    client: httpx.AsyncClient, worker: Worker, db: Database, reporter: FakeActor
) -> None:
    await make_user("bob")
    await make_user("dave")
    report = await flag(client, worker, reporter, BOB, "https://fedimob.test/users/margot")
    await log_in_admin(client)
    page = await act(client, report, action="suspend", username="dave")
    assert "This report does not name that account." in page.text
    page = await act(client, report, action="suspend", username="margot")
    assert "You cannot suspend your own account." in page.text
    page = await act(client, report, action="teleport")
    assert "This action is not possible for this report." in page.text
    assert await Account.filter(is_active=True).count() == 3


async def test_blocking_the_reporters_domain(
    client: httpx.AsyncClient, worker: Worker, db: Database, reporter: FakeActor
) -> None:
    await make_user("bob")
    report = await flag(client, worker, reporter, BOB)
    await log_in_admin(client)
    page = await act(client, report, action="block_reporter")
    assert "mastodon.example is blocked." in page.text
    assert await is_blocked("mastodon.example")
    blocks = await client.get("/admin/blocks")
    assert f"report {report.id}" in blocks.text


async def test_an_unknown_report_is_404(client: httpx.AsyncClient, db: Database) -> None:
    await log_in_admin(client)
    response = await submit(client, "/admin/reports/999", {"action": "resolve"}, page="/admin")
    assert response.status_code == 404
    response = await submit(client, "/admin/reports/x", {"action": "resolve"}, page="/admin")
    assert response.status_code == 404
    for beyond in (2**63, 10**30, 0):  # past a 64-bit id: nothing, not an overflow
        path = f"/admin/reports/{beyond}"
        response = await submit(client, path, {"action": "resolve"}, page="/admin")
        assert response.status_code == 404, beyond
