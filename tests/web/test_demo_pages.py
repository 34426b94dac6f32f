"""The demo of `make run` shows every page with something on it (issue 6).

One test per person who looks: a visitor, the volunteer, the organiser, the
admin. Each loads the demo into its own fresh database.
"""

from __future__ import annotations

import html
import re

import httpx

from fedimob.demo import DEMO_PASSWORD, load_demo
from fedimob.settings import Settings
from tests.web.forms import log_in, submit

EXTERNAL_SOURCE = re.compile(r"""\bsrc=["']?(?:https?:)?//""")
TAG = re.compile(r"<[^>]*>")


def words(page: httpx.Response) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    assert page.status_code == 200
    return " ".join(html.unescape(TAG.sub(" ", page.text)).split())


async def _as(client: httpx.AsyncClient, username: str) -> None:
    await log_in(client, username, DEMO_PASSWORD)
    # Camille reads French; these tests read English.
    await submit(client, "/language", {"language": "en", "next": "/"}, page="/")


async def test_a_visitor_sees_campaigns_here_and_from_a_followed_instance(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    page = await client.get("/")
    assert page.status_code == 200
    for title in ("River clean-up on Saturday", "Clean out your old e-mails"):
        assert title in page.text
    for title in ("Beach clean-up at Quiberon", "Repair café in Rennes"):
        assert title in page.text  # copies of Fedimob Bretagne's campaigns
    assert 'href="https://mob.bretagne.example/campaigns/quiberon_beach"' in page.text
    assert "On mob.bretagne.example" in page.text
    # Nothing on the page makes the browser load anything from another server.
    assert not EXTERNAL_SOURCE.search(page.text)
    photos = await client.get("/campaigns/photo_cleanup")
    assert "Milestones" in photos.text
    assert "100% on" in photos.text
    mail = words(await client.get("/campaigns/delete_old_emails"))
    assert "Impact so far" in mail
    assert "g CO2 avoided" in mail


async def test_the_volunteer_sees_every_kind_of_participation(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    await log_in(client, "chloe", DEMO_PASSWORD)
    text = words(await client.get("/me/participations"))
    for title in (
        "Clean out your old e-mails", "River clean-up on Saturday", "Plant 300 hours of hedgerows",
        "Delete duplicate photos", "Winter bird count",
    ):  # fmt: skip
        assert title in text
    assert "1,600 e-mails deleted" in text  # reported, and validated
    assert "not yet" in text  # reported, awaiting validation
    assert "requested" in text  # awaiting approval
    assert "Beach clean-up at Quiberon" in text
    assert "mob.bretagne.example" in text
    assert "Reminder: “Winter bird count” is tomorrow" in text
    assert "“Delete duplicate photos” has ended: goal reached!" in text
    assert "“Winter bird count” has ended short of its goal." in text
    assert "You're in “Beach clean-up at Quiberon” (mob.bretagne.example)." in text
    assert "Welcome aboard!" in text
    assert "4 unread" in text  # the reminder was read
    assert "Time given 2 hr 15 min" in text
    record = words(await client.get("/me/record"))
    assert "Total 2 hr 15 min" in record
    assert "Winter bird count" in record


async def test_the_organiser_has_requests_to_answer_and_contributions_to_validate(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    await _as(client, "camille")
    hedges = words(await client.get("/dashboard/campaigns/plant_hedges/participants"))
    assert "Requested (5)" in hedges
    assert "lucie@mobilizon.example" in hedges
    assert "I have my own spade" in hedges
    for name in ("Farid", "Gabrielle", "Hugo", "Chloe", "Lucie"):
        assert f"Accept {name}" in hedges
    assert "Accept Elise" not in hedges  # accepted already
    mail = words(await client.get("/dashboard/campaigns/delete_old_emails/participants"))
    for handle, way in (
        ("maelle@mastodon.example", "poll vote (Mastodon...)"),
        ("yann@mastodon.example", "mention"),
        ("gwen@mob.bretagne.example", "Join from the Fediverse"),
        ("tom@friendica.example", "event reply (Mobilizon...)"),
    ):
        assert f"@{handle}" in mail
        assert way in mail
    assert "Validate Yann" in mail  # a remote participant's report, awaiting
    assert "Validate David" in mail
    assert "Validate Chloe" not in mail  # validated already
    dashboard = words(await client.get("/dashboard"))
    assert "Clean out your old e-mails" in dashboard


async def test_the_admin_has_a_report_a_block_a_failing_host_and_a_region(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await load_demo(settings)
    await _as(client, "camille")
    overview = await client.get("/admin")
    assert "Fedimob Loire-Atlantique" in overview.text
    settings_page = await client.get("/admin/settings")
    assert "Campaigns of the associations of **Loire-Atlantique**" in settings_page.text
    reports = words(await client.get("/admin/reports"))
    assert "social.example" in reports
    assert "replies “join” to every post" in reports
    assert "https://fedimob.test/users/nathan" in reports
    blocks = words(await client.get("/admin/blocks"))
    assert "spam.example Fake join requests" in blocks
    health = words(await client.get("/admin/health"))
    assert "quiet.example 6 3" in health  # failures in a row, days with failures
    regions = words(await client.get("/admin/regions"))
    assert regions.count("Fedimob Bretagne") == 2  # we follow it, it follows us
