"""Pages show and read times on the instance's clock (its time zone, set by the admins)."""

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fedimob.db import Database
from fedimob.domain.campaigns import get_campaign
from fedimob.domain.instance_profile import TIME_ZONE
from fedimob.domain.instance_settings import set_setting
from fedimob.models import CampaignKind
from tests.fedimob.factories import make_campaign
from tests.web.campaign_builders import NEW, remote_campaign, valid_form
from tests.web.forms import submit
from tests.web.instance import set_profile
from tests.web.organisers import another_browser, organiser
from web import i18n
from web.organiser.campaign_form import moment_text

WINTER_DEADLINE = datetime(2027, 1, 8, 17, 0, tzinfo=UTC)  # 18:00 in Paris
SUMMER_START = datetime(2027, 7, 3, 7, 0, tzinfo=UTC)  # 09:00 in Paris


async def _river_cleanup() -> None:
    await make_campaign(
        slug="river",
        title="River clean-up",
        kind=CampaignKind.PHYSICAL,
        address="Quai de la Fosse, Nantes",
        starts_at=SUMMER_START,
        deadline=WINTER_DEADLINE,
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )


async def test_a_campaign_page_shows_its_times_in_the_instances_zone(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _river_cleanup()
    before = (await client.get("/campaigns/river")).text
    assert "Jan 8, 2027, 17:00 UTC" in before
    assert "Jul 3, 2027, 07:00 UTC" in before

    await set_profile(time_zone="Europe/Paris")
    async with another_browser(client) as visitor:
        english = (await visitor.get("/campaigns/river")).text
        french = (await visitor.get("/campaigns/river?lang=fr")).text
    assert "Jan 8, 2027, 18:00 CET" in english
    assert "Jul 3, 2027, 09:00 CEST" in english  # summer time where it happens
    assert "8 janv. 2027, 18:00 CET" in french
    assert "17:00 UTC" not in english


async def test_a_late_evening_is_dated_by_the_local_day(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(time_zone="Pacific/Auckland")  # UTC+13 in January
    await make_campaign(
        slug="late",
        title="Late",
        deadline=datetime(2027, 1, 8, 20, 0, tzinfo=UTC),  # 9 January, 09:00 in Auckland
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    page = (await client.get("/campaigns/late")).text
    assert "Jan 9, 2027, 09:00 NZDT" in page


async def test_the_campaign_form_reads_and_shows_times_on_the_instances_clock(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(time_zone="Europe/Paris")
    await organiser(client)
    form = (await client.get(NEW)).text
    assert "Deadline (Europe/Paris time)" in form
    times = {"starts_at": "2027-07-03T09:00", "ends_at": "2027-07-03T12:00"}
    created = await submit(client, NEW, valid_form(**times, deadline="2027-01-08T18:00"))
    assert created.status_code == 303, created.text
    campaign = await get_campaign("river_cleanup")
    assert campaign.deadline == WINTER_DEADLINE
    assert campaign.starts_at == SUMMER_START
    assert campaign.ends_at == datetime(2027, 7, 3, 10, 0, tzinfo=UTC)
    edit = (await client.get(created.headers["location"])).text
    assert 'value="2027-01-08T18:00"' in edit
    assert 'value="2027-07-03T09:00"' in edit

    # The admins move the instance: the same moments now read on another clock.
    await set_profile(time_zone="UTC")
    edit = (await client.get(created.headers["location"])).text
    assert 'value="2027-01-08T17:00"' in edit
    assert "Deadline (UTC time)" in edit


async def test_a_time_typed_with_its_offset_is_kept_as_typed(
    client: httpx.AsyncClient, db: Database
) -> None:
    await set_profile(time_zone="Europe/Paris")
    await organiser(client)
    typed = valid_form(slug="mail_cleanup", kind="digital", deadline="2027-01-08T17:00Z")
    created = await submit(client, NEW, typed)
    assert created.status_code == 303, created.text
    assert (await get_campaign("mail_cleanup")).deadline == WINTER_DEADLINE


def test_a_span_within_a_day_names_the_day_once() -> None:
    catalogues = i18n.Catalogues()
    start, end = SUMMER_START, SUMMER_START + timedelta(hours=3)
    with i18n.use_locale(catalogues.active("en", "Europe/Paris")):
        assert i18n.span(start, end) == "Jul 3, 2027, 09:00\u201312:00 CEST"
        assert i18n.span(start, None) == "Jul 3, 2027, 09:00 CEST"
        overnight = i18n.span(start + timedelta(hours=12), end + timedelta(hours=12))
        assert overnight == "Jul 3, 2027, 21:00 CEST to Jul 4, 2027, 00:00 CEST"
    with i18n.use_locale(catalogues.active("fr", "Europe/Paris")):
        assert i18n.span(start, end) == "3 juil. 2027, 09:00\u201312:00 CEST"
    with i18n.use_locale(catalogues.active("en")):
        assert i18n.span(start, end) == "Jul 3, 2027, 07:00\u201310:00 UTC"


def test_a_span_across_a_change_of_clocks_says_both_offsets() -> None:
    # 31 October 2027 in Paris: 01:00 CEST, then 03:00 CET (the clocks went back at 03:00).
    start = datetime(2027, 10, 30, 23, 0, tzinfo=UTC)
    with i18n.use_locale(i18n.Catalogues().active("en", "Europe/Paris")):
        assert i18n.span(start, start + timedelta(hours=3)) == (
            "Oct 31, 2027, 01:00 CEST to Oct 31, 2027, 03:00 CET"
        )


@pytest.mark.parametrize(
    ("zone", "deadline", "shown"),
    [
        ("Pacific/Kiritimati", datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "Dec 31, 9999"),
        ("America/Los_Angeles", datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "Dec 31, 9999"),
        ("America/Los_Angeles", datetime(1, 1, 1, 0, 30, tzinfo=UTC), "Jan 1, 1"),
    ],
)
async def test_a_remote_date_at_the_end_of_the_calendar_shows_without_failing(
    client: httpx.AsyncClient, db: Database, zone: str, deadline: datetime, shown: str
) -> None:
    """Another instance may claim any date; past year 9999 on our clock, it shows as stored."""
    forever = await remote_campaign(title="Forever", deadline=deadline)
    await set_profile(time_zone=zone)
    page = await client.get("/")
    assert page.status_code == 200
    assert (forever.title in page.text) == (deadline.year == 9999)  # listed while running
    with i18n.use_locale(i18n.Catalogues().active("en", zone)):
        assert i18n.when(deadline).startswith(shown)


async def test_a_zone_stored_by_hand_that_is_no_zone_leaves_the_pages_in_utc(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _river_cleanup()
    await set_setting(TIME_ZONE, {"name": "Europe"})  # a folder of the zone database
    page = await client.get("/campaigns/river")
    assert page.status_code == 200
    assert "Jan 8, 2027, 17:00 UTC" in page.text


async def test_saving_a_draft_untouched_keeps_a_time_of_the_hour_that_happens_twice(
    client: httpx.AsyncClient, db: Database
) -> None:
    """31 October 2027, 02:30 in Paris happens at 00:30 and at 01:30 UTC: the form shows
    either as 02:30, and a save that leaves it so must not move the second to the first."""
    org = await organiser(client)
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    campaign = await make_campaign(
        org.ours, slug="late", title="Late", publish=False, kind=CampaignKind.PHYSICAL,
        address="Quai", starts_at=second, deadline=datetime(2027, 10, 30, 18, 0, tzinfo=UTC),
        now=datetime(2027, 10, 1, tzinfo=UTC),
    )  # fmt: skip
    await set_profile(time_zone="Europe/Paris")
    edit = f"/dashboard/campaigns/{campaign.slug}/edit"
    form = (await client.get(edit)).text
    assert 'value="2027-10-31T02:30"' in form
    values = dict(re.findall(r'<input[^>]* name="([\w-]+)"[^>]* value="([^"]*)"', form))
    values |= {"kind": "physical", "goal_kind": "participants", "join_mode": "free"}
    values |= {"action": "save", "description": ""}
    saved = await submit(client, edit, values)
    assert saved.status_code == 303, saved.text
    assert (await get_campaign("late")).starts_at == second


def test_the_form_writes_every_year_with_four_digits() -> None:
    """strftime wrote year 1 as '1-01-02T00:00', which no browser's date field reads."""
    with i18n.use_locale(i18n.Catalogues().active("en")):
        assert moment_text(datetime(1, 1, 2, tzinfo=UTC)) == "0001-01-02T00:00"
        assert moment_text(datetime(2027, 7, 3, 7, 0, 59, tzinfo=UTC)) == "2027-07-03T07:00"
        assert moment_text(None) == ""
