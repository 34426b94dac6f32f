import re
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaigns import cancel_campaign
from fedimob.domain.dashboard import JoinsPerDay
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import join, report_contribution
from fedimob.models import GoalKind, JoinMode, JoinVia, Participation
from tests.fedimob.factories import make_actor, make_campaign
from tests.web.forms import log_in, make_user, submit
from tests.web.organisers import organisers, remote_actor
from web.organiser.chart import chart_of


async def test_the_dashboard_needs_a_login(client: httpx.AsyncClient, db: Database) -> None:
    response = await client.get("/dashboard")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/dashboard"


async def test_a_volunteer_sees_no_association_and_no_dashboard_link(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_user("vera")
    await log_in(client, "vera")
    assert 'href="/dashboard"' not in (await client.get("/")).text
    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert "You are not a member of any association yet" in page.text


async def test_the_dashboard_shows_our_campaigns_in_every_state_with_live_counts(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organisers(client)
    now = utcnow()
    running = await make_campaign(
        org.ours, title="Running one", goal_kind=GoalKind.IMPACT, impact_unit="e-mails deleted"
    )
    await make_campaign(org.ours, title="Draft one", publish=False)
    cancelled = await make_campaign(org.ours, title="Cancelled one")
    await cancel_campaign(cancelled)
    ended = await make_campaign(
        org.ours, title="Ended one", now=now - timedelta(days=3), deadline=now - timedelta(hours=1)
    )
    await end_if_due(ended.id, now=now)
    await make_campaign(org.theirs, title="Not ours")
    alice = await make_actor()
    await join(running, alice, via=JoinVia.WEB, pledge_minutes=90)
    await join(running, await make_actor(), via=JoinVia.WEB, pledge_minutes=60)
    await report_contribution(running, alice, minutes=45, impact=1200)
    approval = await make_campaign(org.ours, title="Approval one", join_mode=JoinMode.APPROVAL)
    await join(approval, await make_actor(), via=JoinVia.WEB)

    page = await client.get("/dashboard")
    assert page.status_code == 200
    assert '<a href="/dashboard" aria-current="page">Dashboard</a>' in page.text
    for title in ("Running one", "Draft one", "Cancelled one", "Ended one", "Approval one"):
        assert title in page.text
    assert "Not ours" not in page.text
    assert "Autres" not in page.text
    assert "@autres" not in page.text
    for heading in ("Running", "Drafts", "Ended", "Cancelled"):
        assert f"<h3>{heading}</h3>" in page.text
    card = _card(page.text, "Running one")
    assert "<dt>Participants</dt><dd>2</dd>" in card
    assert "<dt>Time pledged</dt><dd>2 hr 30 min</dd>" in card
    assert "<dt>Time reported</dt><dd>45 min</dd>" in card
    assert "<dt>Impact</dt><dd>1,200 e-mails deleted</dd>" in card
    assert "<dt>Requests</dt><dd>1</dd>" in _card(page.text, "Approval one")
    assert 'href="/dashboard/campaigns/new?association=amis"' in page.text
    assert 'href="/dashboard/associations/amis/members"' in page.text
    assert f'href="/dashboard/campaigns/{running.slug}/participants"' in page.text
    # A running campaign's bar is refreshed by live.js from its public progress fragment.
    live = f'data-live="/campaigns/{running.slug}/progress?lang=en"'
    assert live in card
    assert "/static/live.js" in page.text
    for still in ("Draft one", "Cancelled one", "Ended one"):
        assert "data-live" not in _card(page.text, still)
    fragment = (await client.get(f"/campaigns/{running.slug}/progress?lang=en")).text
    assert "<strong>1,200</strong> of 4" in fragment  # what the bar shows, as the card has it


def _card(html: str, title: str) -> str:
    start = html.index(f">{title}</a></h4>")
    return html[start : html.index("</li>", start)]


async def test_the_chart_counts_joins_per_day_and_reads_without_pictures(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organisers(client)
    now = utcnow()
    campaign = await make_campaign(org.ours, title="Charted", now=now - timedelta(days=3))
    days_ago = [2, 2, 2, 1, 0]
    for ago in days_ago:
        change = await join(campaign, await make_actor(), via=JoinVia.WEB)
        await Participation.filter(id=change.participation.id).update(
            created_at=now - timedelta(days=ago)
        )
    page = await client.get("/dashboard")
    card = _card(page.text, "Charted")
    svg = card[card.index("<svg") : card.index("</svg>")]
    assert 'role="img"' in svg
    assert f'aria-labelledby="chart-{campaign.id}-title chart-{campaign.id}-desc"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert svg.count('<rect class="bar"') == 4  # the day of publication, and three more
    busiest = _day(now - timedelta(days=2))
    assert f"5 joins from {_day(now - timedelta(days=3))} to {_day(now)}" in card
    assert f"busiest day {busiest} with 3" in card
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", card)
    assert [int(count) for _day_text, count in rows] == [0, 3, 1, 1]
    assert "<script" not in card  # drawn on the server


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%b %-d, %Y")


async def test_a_remote_join_counts_on_the_chart_like_any_other(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await organisers(client)
    campaign = await make_campaign(org.ours, title="Federated")
    await join(campaign, await remote_actor("bob", "mastodon.example"), via=JoinVia.POLL_VOTE)
    card = _card((await client.get("/dashboard")).text, "Federated")
    assert "1 join from" in card


async def test_the_dashboard_speaks_french(client: httpx.AsyncClient, db: Database) -> None:
    org = await organisers(client)
    campaign = await make_campaign(org.ours, title="Nettoyage")
    await join(campaign, await make_actor(), via=JoinVia.WEB)
    await submit(client, "/language", {"language": "fr", "next": "/"}, page="/")
    page = await client.get("/dashboard")
    assert "<h1>Tableau de bord</h1>" in page.text
    assert "Nouvelle campagne" in page.text
    assert "<h3>En cours</h3>" in page.text
    assert "1 participation du" in page.text
    edit = await client.get(f"/dashboard/campaigns/{campaign.slug}/edit")
    assert "Publier une nouvelle" in edit.text
    assert "Échéance (heure UTC)" in edit.text


def test_the_chart_keeps_its_bars_inside_the_plot() -> None:
    first = date(2030, 1, 1)
    joins = JoinsPerDay([(first + timedelta(days=n), n % 3) for n in range(60)], partial=False)
    chart = chart_of(joins)
    assert chart is not None
    assert chart.scale == 2
    assert len(chart.bars) == 60
    for bar in chart.bars:
        assert chart.left <= bar.x
        assert bar.x + bar.width <= chart.width
        assert chart.top <= bar.y <= chart.baseline
        assert bar.y + bar.height == pytest.approx(chart.baseline)
    tallest = max(bar.height for bar in chart.bars)
    assert tallest == pytest.approx(chart.baseline - chart.top)
    assert chart_of(JoinsPerDay([], partial=False)) is None
    quiet = chart_of(JoinsPerDay([(first, 0)], partial=False))
    assert quiet is not None
    assert quiet.scale == 1
    assert quiet.bars[0].height == 0
