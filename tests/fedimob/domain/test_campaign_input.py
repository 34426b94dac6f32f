from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fedimob.domain.campaign_input import CampaignInput, Conversion, validate_campaign
from fedimob.errors import ValidationError
from fedimob.models import CampaignKind, GoalKind

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BASE = CampaignInput(
    slug="cleanup",
    title="Clean-up",
    goal_kind=GoalKind.PARTICIPANTS,
    goal_target=40,
    deadline=NOW + timedelta(days=10),
)
PHYSICAL = replace(
    BASE, kind=CampaignKind.PHYSICAL, address="Quai de la Fosse", starts_at=NOW + timedelta(days=11)
)


def test_a_minimal_digital_campaign_is_valid_with_a_default_pledge() -> None:
    fields = validate_campaign(BASE, now=NOW)
    assert fields["slug"] == "cleanup"
    assert fields["pledge_options"] == [60]
    assert fields["kind"] == CampaignKind.DIGITAL


def test_pledges_and_categories_are_normalised() -> None:
    data = replace(BASE, pledge_options=[240, 60, 60], categories=[" Nature", "nature", "Water"])
    fields = validate_campaign(data, now=NOW)
    assert fields["pledge_options"] == [60, 240]
    assert fields["categories"] == ["nature", "water"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"description": "x" * 50_001}, "description"),
        ({"goal_target": 0}, "goal_target"),
        ({"goal_target": -5}, "goal_target"),
        ({"goal_target": 10**12}, "goal_target"),
        ({"deadline": NOW - timedelta(seconds=1)}, "deadline"),
        ({"deadline": NOW + timedelta(days=6 * 366)}, "deadline"),
        ({"deadline": datetime(2026, 7, 1)}, "deadline"),
        ({"goal_kind": GoalKind.IMPACT}, "impact_unit"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10}, "capacity"),  # below the goal of 40 people
        ({"pledge_options": [0]}, "pledge_options"),
        ({"pledge_options": [7 * 24 * 60 + 1]}, "pledge_options"),
        ({"pledge_options": list(range(1, 12))}, "pledge_options"),
        ({"categories": [f"c{i}" for i in range(11)]}, "categories"),
        ({"categories": ["x" * 51]}, "categories"),
        ({"language": "english!"}, "language"),
        ({"slug": "Not a slug"}, "slug"),
        ({"instructions_url": "javascript:alert(1)"}, "instructions_url"),
        ({"instructions_url": "http://["}, "instructions_url"),  # unparseable host
        ({"instructions_url": "https://a]b/"}, "instructions_url"),
        ({"instructions_url": "https://example.org/\r\nX-Injected: 1"}, "instructions_url"),
        ({"conversions": [Conversion("CO2", "g", float("nan"))]}, "conversions"),
        ({"conversions": [Conversion("CO2", "g", -1)]}, "conversions"),
        ({"conversions": [Conversion("CO2", "g", 1e308)]}, "conversions"),  # overflows figures
        ({"conversions": [Conversion("CO2", "g", 1e9 * 1.001)]}, "conversions"),
        ({"conversions": [Conversion("", "g", 1)]}, "conversions"),
    ],
)
def test_bad_input_names_the_field_at_fault(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_campaign(replace(BASE, **change), now=NOW)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_action_may_have_started_already_or_start_years_ahead() -> None:
    for starts_at in (NOW - timedelta(days=30), NOW + timedelta(days=4 * 366)):
        fields = validate_campaign(replace(PHYSICAL, starts_at=starts_at), now=NOW)
        assert fields["starts_at"] == starts_at


def test_physical_action_needs_a_place_and_a_time() -> None:
    assert validate_campaign(PHYSICAL, now=NOW)["address"] == "Quai de la Fosse"
    for change, field in [
        ({"address": ""}, "address"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": PHYSICAL.starts_at}, "ends_at"),
        ({"latitude": 47.2}, "latitude"),
        ({"latitude": 91.0, "longitude": 0.0}, "latitude"),
        ({"latitude": 0.0, "longitude": 181.0}, "longitude"),
        # Year 1 was saved, then publishing it overflowed the reminder's arithmetic (a 500).
        ({"starts_at": datetime(1, 1, 2, tzinfo=UTC)}, "starts_at"),
        ({"starts_at": datetime(9999, 12, 31, tzinfo=UTC)}, "starts_at"),
        ({"starts_at": NOW - timedelta(days=6 * 366)}, "starts_at"),
        ({"ends_at": datetime(9999, 12, 31, tzinfo=UTC)}, "ends_at"),
    ]:
        with pytest.raises(ValidationError) as caught:
            validate_campaign(replace(PHYSICAL, **change), now=NOW)  # type: ignore[arg-type]
        assert caught.value.field == field
