from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fedimob.db import Database
from fedimob.domain.dashboard import joins_per_day
from fedimob.domain.instance_profile import TIME_ZONE, instance_profile
from fedimob.domain.instance_settings import set_setting
from fedimob.domain.participation import join
from fedimob.domain.time_zones import (
    clean_time_zone,
    from_local_time,
    local_time,
    time_zone_names,
    zone_label,
    zone_named,
)
from fedimob.errors import ValidationError
from fedimob.federation.events import event_summary_html
from fedimob.federation.messages import text_for
from fedimob.models import Campaign, CampaignKind, GoalKind, JoinVia
from tests.fedimob.factories import make_actor, make_campaign

PARIS = ZoneInfo("Europe/Paris")


def test_the_list_offers_places_with_utc_first() -> None:
    names = time_zone_names()
    assert names[0] == "UTC"
    assert {"Europe/Paris", "America/Argentina/Buenos_Aires", "Pacific/Chatham"} <= set(names)
    # Aliases that name no place are not offered.
    assert not {"CET", "EST5EDT", "Factory", "Etc/GMT+5"} & set(names)
    assert list(names[1:]) == sorted(names[1:])


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus_Mons",
        "europe/paris",  # names are exact
        "../../../../etc/passwd",
        "/usr/share/zoneinfo/Europe/Paris",
        "Europe/Paris\x00",
        "Europe/" + "P" * 100_000,
        "CET",
    ],
)
def test_unknown_or_hostile_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_time_zone(name)
    assert refused.value.field == "time_zone"


def test_a_name_is_kept_as_listed() -> None:
    assert clean_time_zone(" Europe/Paris ") == "Europe/Paris"


def test_a_stored_name_this_machine_does_not_know_reads_as_utc() -> None:
    assert zone_named("UTC") is UTC
    assert zone_named("Europe/Paris") == PARIS
    assert zone_named("Atlantis/Capital") is UTC
    assert zone_named("../etc/passwd") is UTC


def test_moments_read_and_shown_on_the_local_clock() -> None:
    winter = from_local_time(datetime(2027, 1, 9, 9, 0), PARIS)
    summer = from_local_time(datetime(2027, 7, 3, 9, 0), PARIS)
    assert winter == datetime(2027, 1, 9, 8, 0, tzinfo=UTC)
    assert summer == datetime(2027, 7, 3, 7, 0, tzinfo=UTC)
    assert (zone_label(local_time(winter, PARIS)), zone_label(local_time(summer, PARIS))) == (
        "CET",
        "CEST",
    )
    assert local_time(datetime(2027, 1, 9, 8, 0), PARIS).hour == 9  # naive is UTC
    # A time typed with its offset keeps it, whatever the instance's zone.
    typed = datetime(2027, 1, 9, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert from_local_time(typed, PARIS) == datetime(2027, 1, 9, 14, 0, tzinfo=UTC)


def test_times_the_clocks_skip_or_repeat_read_as_their_first_offset() -> None:
    # 28 March 2027, 02:30 does not exist in Paris (02:00 -> 03:00): read at +01:00.
    assert from_local_time(datetime(2027, 3, 28, 2, 30), PARIS) == datetime(
        2027, 3, 28, 1, 30, tzinfo=UTC
    )
    # 31 October 2027, 02:30 happens twice: the first one, still at +02:00.
    assert from_local_time(datetime(2027, 10, 31, 2, 30), PARIS) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


def test_a_zone_without_an_abbreviation_is_named_by_its_offset() -> None:
    moment = local_time(datetime(2027, 1, 9, 8, 0, tzinfo=UTC), ZoneInfo("Asia/Dubai"))
    assert zone_label(moment) == "+04"


async def test_a_profile_with_a_broken_stored_zone_still_reads(db: Database) -> None:
    await set_setting(TIME_ZONE, {"name": 42})
    assert (await instance_profile()).time_zone == "42"
    assert zone_named((await instance_profile()).time_zone) is UTC
    await set_setting(TIME_ZONE, ["not", "an", "object"])
    assert (await instance_profile()).time_zone == "UTC"


async def test_the_chart_counts_days_on_the_instances_clock(db: Database) -> None:
    now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    campaign = await make_campaign(now=now - timedelta(days=3))
    # 23:30 UTC on 8 January is 00:30 on 9 January in Paris.
    await join(
        campaign, await make_actor(), via=JoinVia.WEB, now=datetime(2027, 1, 8, 23, 30, tzinfo=UTC)
    )
    in_utc = dict((await joins_per_day(campaign, now=now)).days)
    in_paris = dict((await joins_per_day(campaign, zone=PARIS, now=now)).days)
    assert in_utc[datetime(2027, 1, 8).date()] == 1
    assert in_paris[datetime(2027, 1, 8).date()] == 0
    assert in_paris[datetime(2027, 1, 9).date()] == 1


async def test_the_reminder_gives_the_time_on_the_instances_clock(db: Database) -> None:
    campaign = await make_campaign(
        kind=CampaignKind.PHYSICAL,
        address="Quai de la Fosse, Nantes",
        starts_at=datetime(2027, 7, 3, 7, 0, tzinfo=UTC),
        deadline=datetime(2027, 7, 2, 18, 0, tzinfo=UTC),
        now=datetime(2027, 6, 1, tzinfo=UTC),
    )
    assert "2027-07-03 09:00 CEST" in text_for("reminder", campaign, language="en", zone=PARIS)
    assert "2027-07-03 07:00 UTC" in text_for("reminder", campaign, language="fr")


@pytest.mark.parametrize("stored", ["Europe", "America/Indiana", "A" * 300, "posixrules", ""])
def test_a_stored_name_that_is_no_listed_zone_reads_as_utc(stored: str) -> None:
    # Folders of the zone database and over-long names made ZoneInfo raise OSError.
    assert zone_named(stored) is UTC


def test_the_summary_mastodon_shows_gives_times_on_the_instances_clock() -> None:
    campaign = Campaign(
        title="River clean-up", summary="", kind=CampaignKind.PHYSICAL, address="Quai",
        starts_at=datetime(2027, 7, 3, 7, 0, tzinfo=UTC), goal_kind=GoalKind.PARTICIPANTS,
        goal_target=40, deadline=datetime(2027, 7, 2, 16, 0, tzinfo=UTC),
    )  # fmt: skip
    assert event_summary_html(campaign, PARIS) == (
        "<p>Where: Quai<br>When: 2027-07-03 09:00 CEST</p>"
        "<p>Goal: 40 people, before 2027-07-02 18:00 CEST</p>"
    )
    assert "When: 2027-07-03 07:00 UTC" in event_summary_html(campaign)
