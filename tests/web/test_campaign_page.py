"""A campaign's page, its share redirect and its embeddable widget."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fedimob.clock import utcnow
from fedimob.db import Database
from fedimob.domain.campaign_input import Conversion
from fedimob.domain.campaigns import cancel_campaign, post_update
from fedimob.domain.lifecycle import end_if_due
from fedimob.domain.participation import join, leave, report_contribution
from fedimob.models import Actor, Campaign, CampaignKind, GoalKind, JoinMode, JoinVia
from tests.fedimob.factories import make_account, make_actor, make_campaign
from tests.web.campaign_builders import fast_keys
from tests.web.forms import log_in, make_user, submit
from web.campaign_page import share_server

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_keys(monkeypatch)


async def cleanup(**fields: Any) -> Campaign:
    now = utcnow()
    values: dict[str, Any] = {
        "slug": "cleanup",
        "title": "River clean-up",
        "summary": "Three hours on the banks.",
        "description": "Gloves **provided**.",
        "kind": CampaignKind.PHYSICAL,
        "address": "Quai de la Fosse, Nantes",
        "latitude": 47.2105,
        "longitude": -1.5656,
        "starts_at": now + timedelta(days=5, hours=2),
        "ends_at": now + timedelta(days=5, hours=5),
        "deadline": now + timedelta(days=3, hours=1),
        "goal_kind": GoalKind.IMPACT,
        "goal_target": 400,
        "impact_unit": "kg of litter",
        "conversions": [
            Conversion("plastic kept out of the sea", "kg", 0.5, "https://example.org/study"),
            Conversion("CO2 avoided", "g", 2, "Our own estimate"),
        ],
        "pledge_options": [60, 180],
    }
    values.update(fields)
    return await make_campaign(**values)


async def remote_actor(username: str, **fields: Any) -> Actor:
    values: dict[str, Any] = {
        "ap_id": f"https://mastodon.example/users/{username}",
        "username": username,
        "domain": "mastodon.example",
        "url": f"https://mastodon.example/@{username}",
    }
    values.update(fields)
    return await Actor.create(**values)


async def test_the_page_shows_what_a_volunteer_needs(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await cleanup()
    now = utcnow()
    listed_here = await make_actor("lou")
    await join(campaign, listed_here, via=JoinVia.WEB, pledge_minutes=60, listed=True)
    await report_contribution(campaign, listed_here, minutes=60, impact=120)
    await join(campaign, await make_actor("quiet"), via=JoinVia.WEB, pledge_minutes=60)
    gone = await make_actor("gone")
    await join(campaign, gone, via=JoinVia.WEB, pledge_minutes=60, listed=True)
    await leave(campaign, gone)
    await join(
        campaign, await remote_actor("bob"), via=JoinVia.JOIN_ACTIVITY, pledge_minutes=180,
        listed=True,
    )  # fmt: skip
    await post_update(campaign, by=None, title="Older news", body="First.", now=now)
    await post_update(
        campaign, by=None, title="Latest news", body="Bring *boots*.", now=now + timedelta(hours=1)
    )

    page = await client.get("/campaigns/cleanup")

    assert page.status_code == 200
    assert page.headers["vary"] == "Accept"
    html = page.text
    assert "<h1>River clean-up</h1>" in html
    assert 'href="/associations/' in html
    assert "Gloves <strong>provided</strong>." in html
    assert '<progress max="100" value="30"' in html  # 120 kg of 400
    assert "<strong>120</strong> of 400 kg of litter" in html
    assert "Ends in 3 days" in html
    assert re.search(r'<time datetime="[^"]+Z" role="timer" data-countdown', html)
    assert "1 hr, 3 hr" in html  # the pledge options
    # Place and time, the map and the calendar.
    assert "Quai de la Fosse, Nantes" in html
    assert (
        'href="https://www.openstreetmap.org/?mlat=47.21050&amp;mlon=-1.56560'
        '#map=16/47.21050/-1.56560"'
    ) in html
    assert 'href="/campaigns/cleanup.ics"' in html
    # Impact so far, converted, with the sources.
    assert "<strong>60 kg</strong> plastic kept out of the sea" in html
    assert 'href="https://example.org/study" rel="nofollow noopener noreferrer">source</a>' in html
    assert "<strong>240 g</strong> CO2 avoided" in html
    assert "source: Our own estimate" in html
    # News, newest first, rendered from Markdown.
    assert html.index("Latest news") < html.index("Older news")
    assert "Bring <em>boots</em>." in html
    assert "25% on" in html  # a milestone
    # Only the accepted participants who asked to be listed.
    people = html.split('<ul class="people">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/users/lou"' in people
    assert 'href="https://mastodon.example/@bob" rel="nofollow noopener noreferrer"' in people
    assert "@bob@mastodon.example" in people
    assert "quiet" not in people
    assert "gone" not in people
    # Sharing: the link, the handle, the share form, the widget snippet.
    assert 'value="https://fedimob.test/campaigns/cleanup"' in html
    assert 'value="@cleanup@fedimob.test"' in html
    assert 'action="/campaigns/cleanup/share"' in html
    assert "&lt;iframe src=&#34;https://fedimob.test/campaigns/cleanup/widget&#34;" in html
    assert 'class="copy" data-copy="share-handle"' in html
    assert " hidden>" in html
    # Cards for other sites.
    assert '<meta property="og:title" content="River clean-up">' in html
    assert '<meta property="og:description" content="Three hours on the banks.">' in html
    assert '<meta property="og:url" content="https://fedimob.test/campaigns/cleanup">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    # The CSP allows no inline code: scripts come from our static files only.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/countdown.js" defer>',
        '<script src="/static/copy.js" defer>',
        '<script src="/static/live.js" defer>',
    ]
    assert "style=" not in html
    assert "set-cookie" not in page.headers


async def test_a_volunteer_joins_from_the_box_beside_the_progress(
    client: httpx.AsyncClient, db: Database
) -> None:
    await cleanup()
    await make_user()
    await log_in(client)
    page = await client.get("/campaigns/cleanup")
    assert page.status_code == 200
    box = page.text.split('<section class="campaign-progress"', 1)[1].split('<p class="lead">')[0]
    assert "<progress" in box
    assert 'action="/campaigns/cleanup/join"' in box
    joined = await submit(
        client,
        "/campaigns/cleanup/join",
        {"pledge": "60", "listed": "1"},
        page="/campaigns/cleanup",
    )
    assert joined.status_code == 303
    page = await client.get("/campaigns/cleanup")
    assert "You're in: you pledged 1 hr." in page.text
    people = page.text.split('<ul class="people">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/users/alice"' in people


async def test_a_digital_campaign_has_no_place_and_no_calendar(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="mails", instructions_url="https://example.org/how")
    html = (await client.get("/campaigns/mails")).text
    assert ".ics" not in html
    assert "openstreetmap" not in html
    assert 'href="https://example.org/how"' in html
    assert "Impact so far" not in html  # no impact goal, no conversions


@pytest.mark.parametrize(
    "path", ["/campaigns/nope", "/campaigns/%00%0d%0a", "/campaigns/" + "a" * 5000, "/campaigns/@x"]
)
async def test_unknown_campaigns_are_404(
    client: httpx.AsyncClient, db: Database, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 404
    assert "No such campaign" in page.text


async def test_a_draft_is_404_everywhere(client: httpx.AsyncClient, db: Database) -> None:
    await cleanup(publish=False)
    for path in (
        "/campaigns/cleanup",
        "/campaigns/cleanup/widget",
        "/campaigns/cleanup/share?server=mastodon.social",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_a_cancelled_campaign_says_so(client: httpx.AsyncClient, db: Database) -> None:
    await cancel_campaign(await cleanup())
    page = await client.get("/campaigns/cleanup")
    assert page.status_code == 200
    assert "This campaign was cancelled on" in page.text
    assert "data-countdown" not in page.text
    widget = await client.get("/campaigns/cleanup/widget")
    assert "Cancelled" in widget.text


async def test_an_ended_campaign_shows_its_outcome(client: httpx.AsyncClient, db: Database) -> None:
    past = utcnow() - timedelta(days=10)
    campaign = await make_campaign(slug="over", now=past, deadline=past + timedelta(days=1))
    await end_if_due(campaign.id)
    page = await client.get("/campaigns/over")
    assert page.status_code == 200
    assert "Ended: missed" in page.text
    assert "data-countdown" not in page.text


async def test_hostile_text_is_escaped_everywhere_on_the_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    await cleanup(
        title=SCRIPT,
        summary='"><script>alert(2)</script>',
        description="Hi <script>alert(1)</script> [x](javascript:alert(2))",
        address="<b>here</b>",
        conversions=[Conversion("<i>q</i>", "u", 1.0, "javascript:alert(3)")],
    )
    html = (await client.get("/campaigns/cleanup")).text
    assert "<script>alert" not in html
    assert f"<h1>{ESCAPED}</h1>" in html
    assert f'<meta property="og:title" content="{ESCAPED}">' in html
    assert "&#34;&gt;&lt;script&gt;alert(2)" in html  # the summary, in the meta tags too
    assert "<b>here</b>" not in html
    assert "<i>q</i>" not in html
    assert 'href="javascript' not in html
    # The snippet is escaped twice: once as HTML to paste, once in the textarea.
    assert (
        "title=&#34;&amp;lt;script&amp;gt;alert(&amp;#39;x&amp;#39;)&amp;lt;/script&amp;gt;&#34;"
    ) in html


async def test_the_widget_may_be_framed_by_any_site_and_only_the_widget(
    client: httpx.AsyncClient, db: Database
) -> None:
    await cleanup(title=SCRIPT)
    widget = await client.get("/campaigns/cleanup/widget")
    assert widget.status_code == 200
    policy = widget.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "'self'" in policy
    assert "default-src 'self'" in policy
    assert "x-frame-options" not in widget.headers
    assert ESCAPED in widget.text
    assert "<script" not in widget.text
    assert "style=" not in widget.text
    assert '<progress max="100" value="0"' in widget.text
    assert 'href="https://fedimob.test/campaigns/cleanup" target="_blank" rel="noopener"' in (
        widget.text
    )
    assert 'href="/static/widget.css"' in widget.text
    assert "Join on fedimob.test" in widget.text
    assert "Ends in 3 days" in widget.text
    for path in ("/", "/campaigns/cleanup", "/campaigns/cleanup.ics", "/campaigns.atom"):
        other = await client.get(path)
        assert "frame-ancestors 'self'" in other.headers["content-security-policy"], path
    missing = await client.get("/campaigns/nope/widget")
    assert missing.status_code == 404
    assert "frame-ancestors *" in missing.headers["content-security-policy"]


async def test_the_scripts_and_the_widget_style_are_served(
    client: httpx.AsyncClient, db: Database
) -> None:
    for name, kind in (
        ("countdown.js", "javascript"),
        ("copy.js", "javascript"),
        ("widget.css", "text/css"),
    ):
        response = await client.get(f"/static/{name}")
        assert response.status_code == 200
        assert kind in response.headers["content-type"]


@pytest.mark.parametrize(
    ("typed", "server"),
    [
        ("@me@mastodon.social", "mastodon.social"),
        ("me@Mastodon.Social", "mastodon.social"),
        ("mastodon.social", "mastodon.social"),
        ("  https://mastodon.social/@me  ", "mastodon.social"),
        ("@moi@exemple.français", "exemple.xn--franais-xxa"),
        ("social.example.", "social.example"),
    ],
)
async def test_sharing_sends_people_to_their_own_server(
    client: httpx.AsyncClient, db: Database, typed: str, server: str
) -> None:
    await cleanup(title="River clean-up & more")
    response = await client.get(
        "/campaigns/cleanup/share",
        params={"server": typed},
        headers={"referer": "https://fedimob.test/campaigns/cleanup/share"},
    )
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("https", server, "/share")
    assert parse_qs(target.query) == {
        "text": ["River clean-up & more https://fedimob.test/campaigns/cleanup"]
    }


@pytest.mark.parametrize(
    "typed",
    [
        "localhost",
        "127.0.0.1",
        "[::1]",
        "mastodon.social:8443",
        "evil.example/path",
        "javascript:alert(1)",
        "user:pass@evil.example@",
        "-bad-.example",
        "a..b",
        "x" * 64 + ".example",
        "mastodon.social\r\nset-cookie: x=1",
        "%2F%2Fevil.example",
        "m" * 400,
    ],
)
async def test_sharing_refuses_what_is_not_a_server_name(
    client: httpx.AsyncClient, db: Database, typed: str
) -> None:
    await cleanup()
    response = await client.get("/campaigns/cleanup/share", params={"server": typed})
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Type your Fediverse address" in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize(
    "headers",
    [{}, {"referer": "https://evil.example/"}, {"referer": "http://["}, {"origin": "null"}],
)
async def test_a_share_link_made_elsewhere_waits_for_a_click(
    client: httpx.AsyncClient, db: Database, headers: dict[str, str]
) -> None:
    await cleanup()
    response = await client.get(
        "/campaigns/cleanup/share", params={"server": "evil.example"}, headers=headers
    )
    assert response.status_code == 200
    assert "location" not in response.headers
    assert "share page of evil.example" in response.text
    assert 'href="https://evil.example/share?text=' in response.text


async def test_the_share_page_asks_when_nothing_was_typed(
    client: httpx.AsyncClient, db: Database
) -> None:
    await cleanup()
    page = await client.get("/campaigns/cleanup/share")
    assert page.status_code == 200
    assert 'name="server"' in page.text
    assert "Type your Fediverse address" not in page.text


def test_share_server_names() -> None:
    assert share_server("@a@b.example") == "b.example"
    assert share_server("b.example") == "b.example"
    assert share_server("") is None
    assert share_server("1.2.3.4") is None
    assert share_server("https://b.example:443/") is None


async def test_french_page(client: httpx.AsyncClient, db: Database) -> None:
    await cleanup()
    html = (await client.get("/campaigns/cleanup", headers={"accept-language": "fr"})).text
    assert "Se termine dans 3 jours" in html
    assert "Voir sur OpenStreetMap" in html
    assert "Ajouter à mon agenda (.ics)" in html


async def test_pending_requests_are_not_listed(client: httpx.AsyncClient, db: Database) -> None:
    campaign = await cleanup(join_mode=JoinMode.APPROVAL)
    account = await make_account("pat")
    await join(
        campaign, await account.actor, via=JoinVia.WEB, pledge_minutes=60, listed=True,
        pending=True,
    )  # fmt: skip
    assert 'href="/users/pat"' not in (await client.get("/campaigns/cleanup")).text


async def test_the_progress_fragment_follows_the_count(
    client: httpx.AsyncClient, db: Database
) -> None:
    campaign = await cleanup(goal_kind=GoalKind.PARTICIPANTS, goal_target=10)
    page = await client.get("/campaigns/cleanup")
    assert 'data-live="/campaigns/cleanup/progress?lang=en"' in page.text
    assert "/static/live.js" in page.text
    before = await client.get("/campaigns/cleanup/progress")
    assert before.status_code == 200
    assert "<progress" in before.text
    assert "<html" not in before.text  # the figures alone, to swap in
    assert "<strong>0</strong> of 10 people" in before.text
    await join(campaign, await make_actor("zoe"), via=JoinVia.WEB, pledge_minutes=180)
    after = await client.get("/campaigns/cleanup/progress")
    assert "<strong>1</strong> of 10 people" in after.text
    french = await client.get("/campaigns/cleanup/progress", headers={"accept-language": "fr"})
    assert "<strong>1</strong> sur 10 personnes" in french.text
    # The page's language travels in the address: the fetch sends no cookie, and a
    # language chosen on the site would otherwise be lost.
    chosen = await client.get("/campaigns/cleanup/progress?lang=fr")
    assert "<strong>1</strong> sur 10 personnes" in chosen.text
    for odd in ("xx", "fr" * 1000, "", "FR\x00"):
        english = await client.get("/campaigns/cleanup/progress", params={"lang": odd})
        assert "<strong>1</strong> of 10 people" in english.text, odd
    french_page = await client.get("/campaigns/cleanup", headers={"accept-language": "fr"})
    assert 'data-live="/campaigns/cleanup/progress?lang=fr"' in french_page.text


async def test_no_progress_fragment_for_what_is_not_public(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_campaign(slug="draft", publish=False)
    for slug in ("draft", "nope", "x" * 500, "%00"):
        response = await client.get(f"/campaigns/{slug}/progress")
        assert response.status_code == 404, slug
    ended = await cleanup()
    await cancel_campaign(ended)
    page = await client.get("/campaigns/cleanup")
    assert "data-live" not in page.text  # nothing moves any more
