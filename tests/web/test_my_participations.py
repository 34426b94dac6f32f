"""A person's own pages: participations here and elsewhere, notices, time given, the record;
and joining other instances' campaigns from here."""

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.my_participations import (
    participations_of,
    remote_joins_by_event,
    remote_joins_of,
)
from fedimob.domain.notices import notify
from fedimob.domain.participation import join, leave, report_contribution, validate_contribution
from fedimob.federation.remote_joins import SEND_JOB
from fedimob.models import (
    Account,
    Campaign,
    CampaignKind,
    Job,
    JoinVia,
    Notice,
    Participation,
    ParticipationState,
    RemoteCampaign,
    RemoteJoin,
)
from fedimob.settings import Settings
from tests.fedimob.factories import make_association, make_campaign
from tests.web.forms import ORIGIN, log_in, make_user, submit
from web import volunteer
from web.sessions import SessionHandle, serving
from web.templating import templates

EVENT = "https://south.example/campaigns/cleanup/event"
NOW = utcnow()


async def _remote_campaign(ap_id: str = EVENT, *, ends_in: timedelta = timedelta(days=5),
                           **extra: Any) -> RemoteCampaign:  # fmt: skip
    host = ap_id.split("/")[2]
    return await RemoteCampaign.create(
        ap_id=ap_id,
        owner_id=ap_id.removesuffix("/event"),
        domain=host,
        title=f"Clean-up at {host}",
        url=ap_id.removesuffix("/event"),
        deadline=utcnow() + ends_in,
        fetched_at=utcnow(),
        **extra,
    )


async def _actor_of(username: str) -> Any:
    return await (await Account.get(username=username)).actor


@pytest.mark.parametrize("path", ["/me/participations", "/me/record"])
async def test_the_pages_need_a_login(client: httpx.AsyncClient, db: Database, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


async def test_the_menu_links_to_my_participations_once_logged_in(
    client: httpx.AsyncClient, db: Database
) -> None:
    assert 'href="/me/participations"' not in (await client.get("/login")).text
    await make_user()
    await log_in(client)
    assert 'href="/me/participations"' in (await client.get("/account")).text


async def _a_volunteering_life() -> dict[str, Campaign]:
    """alice: reported and validated, ended without a report, running, withdrawn, elsewhere."""
    alice, bob = await _actor_of("alice"), await _actor_of("bob")
    association = await make_association(username="amis")
    past = NOW - timedelta(days=10)
    reported = await make_campaign(association, title="Delete old e-mails", impact_unit="e-mails")
    ended = await make_campaign(
        association, title="River clean-up", now=past, deadline=past + timedelta(days=2),
        kind=CampaignKind.PHYSICAL, address="Quai de la Fosse", starts_at=past + timedelta(days=3),
    )  # fmt: skip
    running = await make_campaign(association, title="Still running")
    withdrawn = await make_campaign(association, title="Changed my mind")
    change = await join(reported, alice, via=JoinVia.WEB, pledge_minutes=60)
    await join(reported, bob, via=JoinVia.WEB, message="bob's private note")
    await report_contribution(reported, alice, minutes=90, impact="1200")
    await validate_contribution(await Participation.get(id=change.participation.id), by=None)
    await join(ended, alice, via=JoinVia.WEB, pledge_minutes=240, now=past)
    await end_if_due(ended.id)
    await join(running, alice, via=JoinVia.CLI, pledge_minutes=60)
    await join(withdrawn, alice, via=JoinVia.WEB, pledge_minutes=240)
    await leave(withdrawn, alice)
    done = await _remote_campaign(
        "https://north.example/campaigns/past/event", ends_in=-timedelta(days=1)
    )
    await RemoteJoin.create(campaign=done, participant=alice, state=ParticipationState.ACCEPTED,
                            pledge_minutes=60, ap_id=f"{ORIGIN}/activities/1")  # fmt: skip
    pending = await _remote_campaign()
    await RemoteJoin.create(campaign=pending, participant=alice,
                            state=ParticipationState.REQUESTED, pledge_minutes=120,
                            ap_id=f"{ORIGIN}/activities/2")  # fmt: skip
    return {"reported": reported, "ended": ended, "running": running, "withdrawn": withdrawn}


async def test_my_participations_here_and_elsewhere_and_the_time_given(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await make_user("bob")
    await _a_volunteering_life()
    await log_in(client)
    page = await client.get("/me/participations")
    assert page.status_code == 200
    text = page.text
    for title in ("Delete old e-mails", "River clean-up", "Still running", "Changed my mind"):
        assert title in text
    assert "1 hr 30 min, 1,200 e-mails" in text  # what was reported
    assert "withdrawn" in text
    assert "accepted" in text
    assert "added by the administrators" in text  # how (the CLI)
    assert "Clean-up at north.example" in text
    assert "Clean-up at south.example" in text
    assert "waiting for south.example to confirm" in text
    # 90 reported + 240 pledged for the ended campaign + 60 pledged elsewhere, deadline passed.
    assert "<strong>6 hr 30 min</strong>" in text
    assert "for an ended campaign where you reported nothing, the time you pledged" in text
    assert "bob&#39;s private note" not in text
    assert "bob's private note" not in text


async def test_nobody_sees_another_persons_participations_or_notices(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    bob = await make_user("bob")
    await _a_volunteering_life()
    await notify(alice.id, "reminder", "Alice: tomorrow at 9")
    await notify(bob.id, "reminder", "Bob: tomorrow at 10")
    await log_in(client, "bob")
    page = await client.get("/me/participations")
    assert "Delete old e-mails" in page.text  # bob's own
    for alices in ("River clean-up", "Still running", "north.example", "Alice: tomorrow"):
        assert alices not in page.text
    assert "Bob: tomorrow at 10" in page.text
    record = await client.get("/me/record")
    assert "River clean-up" not in record.text
    assert len(await participations_of(bob)) == 1
    assert await remote_joins_of(bob) == []


async def test_notices_newest_first_and_marked_read(
    client: httpx.AsyncClient, db: Database
) -> None:
    alice = await make_user()
    await notify(alice.id, "reminder", "Reminder: the clean-up is tomorrow",
                 now=NOW - timedelta(hours=2), url="https://fedimob.test/campaigns/x")  # fmt: skip
    await notify(alice.id, "rejected", "Not accepted: the campaign is full", now=NOW,
                 url="javascript:alert(1)")  # fmt: skip
    await log_in(client)
    page = await client.get("/me/participations")
    text = page.text
    assert text.index("Not accepted: the campaign is full") < text.index("Reminder: the clean")
    assert "2 unread" in text
    assert 'href="https://fedimob.test/campaigns/x"' in text
    assert "javascript:" not in text
    marked = await submit(client, "/me/notices/read", {}, page="/me/participations")
    assert marked.status_code == 303
    assert marked.headers["location"] == "/me/participations#notices"
    assert await Notice.filter(account_id=alice.id, read_at__isnull=True).count() == 0
    page = await client.get("/me/participations")
    assert "unread" not in page.text
    assert "Reminder: the clean-up is tomorrow" in page.text  # read, still listed
    no_token = await client.post("/me/notices/read", headers={"origin": ORIGIN})
    assert no_token.status_code == 403


async def test_the_printable_record(client: httpx.AsyncClient, db: Database) -> None:
    await make_user(display_name="Alice Martin")
    await make_user("bob")
    await _a_volunteering_life()
    await log_in(client)
    page = await client.get("/me/record")
    assert page.status_code == 200
    text = page.text
    assert "Alice Martin" in text
    assert "@alice@fedimob.test" in text
    assert 'class="volunteering-record"' in text
    # Lines with time given only, oldest first: the clean-up, elsewhere, the report today.
    lines = ["River clean-up", "Clean-up at north.example", "Delete old e-mails"]
    positions = [text.index(title) for title in lines]
    assert positions == sorted(positions)
    for absent in ("Still running", "Changed my mind", "south.example"):
        assert absent not in text
    assert "Test association" in text  # the association
    assert "4 hr" in text
    assert "1 hr 30 min" in text
    assert "1 hr" in text
    assert "<strong>6 hr 30 min</strong>" in text  # the total
    assert ">yes<" in text
    assert ">no<" in text
    assert "another instance" in text
    css = (await client.get("/static/style.css")).text
    assert "@media print" in css
    assert ".volunteering-record" in css


async def test_joining_another_instances_campaign_from_here(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await _remote_campaign()
    await log_in(client)
    joined = await submit(
        client, "/remote-campaigns/join", {"event": EVENT, "pledge": "120"}, page="/account"
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == "/me/participations"
    row = await RemoteJoin.get(campaign__ap_id=EVENT)
    assert (row.state, row.pledge_minutes) == (ParticipationState.REQUESTED, 120)
    assert await Job.filter(kind=SEND_JOB).count() == 1  # the Join goes out from a worker
    page = await client.get("/me/participations")
    assert "Request sent to south.example: the campaign&#39;s home instance will confirm it." in (
        page.text
    )
    assert "waiting for south.example to confirm" in page.text

    left = await submit(client, "/remote-campaigns/leave", {"event": EVENT},
                        page="/me/participations")  # fmt: skip
    assert left.status_code == 303
    await row.refresh_from_db()
    assert row.state == ParticipationState.WITHDRAWN
    assert await Job.filter(kind=SEND_JOB).count() == 2


async def test_a_remote_campaign_offers_its_own_pledges(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user()
    await _remote_campaign(pledge_options=[90, 180])
    await log_in(client)
    page = (await client.get("/")).text
    offered = re.findall(r'name="pledge" value="(\d+)" required( checked)?', page)
    assert offered == [("90", " checked"), ("180", "")]  # the first, when 1 h is not offered
    refused = await submit(
        client, "/remote-campaigns/join", {"event": EVENT, "pledge": "60"}, page="/account"
    )
    assert refused.status_code == 400
    assert "Choose one of the pledges offered." in refused.text
    joined = await submit(
        client, "/remote-campaigns/join", {"event": EVENT, "pledge": "180"}, page="/account"
    )
    assert joined.status_code == 303
    assert (await RemoteJoin.get(campaign__ap_id=EVENT)).pledge_minutes == 180


@pytest.mark.parametrize(
    ("event", "pledge", "status"),
    [
        ("javascript:alert(1)//https://south.example/campaigns/cleanup/event", "60", 400),
        ("data:text/html,hi", "60", 400),
        ("", "60", 400),
        ("https://elsewhere.example/campaigns/x/event", "60", 404),  # not shown here
        (EVENT + "x" * 3000, "60", 400),
        ("https://fedimob.test/campaigns/ours/event", "60", 404),
        (EVENT, "45", 400),
        (EVENT, "-60", 400),
        (EVENT, "99999999999999999999", 400),
        (EVENT, "", 400),
    ],
)
async def test_remote_joins_that_do_not_check_out(
    client: httpx.AsyncClient, db: Database, event: str, pledge: str, status: int
) -> None:
    await make_user()
    await _remote_campaign()
    await log_in(client)
    refused = await submit(
        client, "/remote-campaigns/join", {"event": event, "pledge": pledge}, page="/account"
    )
    assert refused.status_code == status
    assert await RemoteJoin.all().count() == 0
    assert "location" not in refused.headers


async def test_closed_remote_campaigns_take_no_one(client: httpx.AsyncClient, db: Database) -> None:
    await make_user()
    await _remote_campaign(ends_in=-timedelta(minutes=1))
    cancelled = "https://south.example/campaigns/gone/event"
    await _remote_campaign(cancelled, deleted_at=utcnow())
    await log_in(client)
    ended = await submit(client, "/remote-campaigns/join", {"event": EVENT, "pledge": "60"},
                         page="/account")  # fmt: skip
    assert ended.status_code == 409
    gone = await submit(client, "/remote-campaigns/join", {"event": cancelled, "pledge": "60"},
                        page="/account")  # fmt: skip
    assert gone.status_code == 404
    assert await RemoteJoin.all().count() == 0


async def test_remote_joins_need_a_login_and_a_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _remote_campaign()
    visitor = await submit(client, "/remote-campaigns/join", {"event": EVENT, "pledge": "60"},
                           page="/login")  # fmt: skip
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login?next=")
    await make_user()
    await log_in(client)
    for path in ("/remote-campaigns/join", "/remote-campaigns/leave"):
        response = await client.post(path, data={"event": EVENT, "pledge": "60"},
                                     headers={"origin": ORIGIN})  # fmt: skip
        assert response.status_code == 403
    assert await RemoteJoin.all().count() == 0


def _render(app: Starlette, settings: Settings, name: str, **context: Any) -> str:
    """One include on its own, as a page that includes it would render it."""
    scope = {"type": "http", "app": app, "router": app.router, "method": "GET", "path": "/",
             "headers": [], "query_string": b"", "scheme": "https", "root_path": "",
             "server": ("fedimob.test", 443)}  # fmt: skip
    with serving(SessionHandle(None, settings)):
        return templates.env.get_template(name).render(request=Request(scope), **context)


async def test_the_remote_join_button_include(
    app: Starlette, settings: Settings, db: Database
) -> None:
    alice = await make_user()
    row = await _remote_campaign()
    card = {"ap_id": EVENT, "title": row.title}
    visitor = _render(app, settings, "campaign/_remote_actions.html", r=card, current_user=None)
    assert 'href="/login"' in visitor
    assert "<form" not in visitor
    nothing = _render(app, settings, "campaign/_remote_actions.html", r={"title": "no id"},
                      current_user=alice)  # fmt: skip
    assert nothing.strip() == ""

    a_visitor = Request({"type": "http", "app": app, "headers": []})
    assert (await volunteer.remote_actions(a_visitor))["remote_joins"] == {}

    offered = _render(app, settings, "campaign/_remote_actions.html", r=card,
                      current_user=alice, remote_joins={})  # fmt: skip
    assert 'action="/remote-campaigns/join"' in offered
    assert f'value="{EVENT}"' in offered
    assert 'name="pledge" value="60"' in offered
    await RemoteJoin.create(campaign=row, participant=await alice.actor, pledge_minutes=120,
                            state=ParticipationState.REQUESTED,
                            ap_id="https://fedimob.test/activities/3")  # fmt: skip
    joins = await remote_joins_by_event(alice)
    joined = _render(app, settings, "campaign/_remote_actions.html", r=card,
                     current_user=alice, remote_joins=joins)  # fmt: skip
    assert "waiting for south.example to confirm" in joined
    assert 'action="/remote-campaigns/leave"' in joined
