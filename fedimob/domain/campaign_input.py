"""What an organiser provides to create a campaign, and the checks it must pass."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fedimob.domain.accounts import normalise_language
from fedimob.domain.associations import normalise_web_url
from fedimob.domain.names import normalise_handle
from fedimob.errors import ValidationError
from fedimob.models import CampaignKind, GoalKind, JoinMode

MAX_PLEDGE_MINUTES = 7 * 24 * 60  # a week: more is not a pledge, it is a job
MAX_PLEDGE_OPTIONS = 10
MAX_CATEGORIES = 10
MAX_CONVERSIONS = 10
MAX_GOAL = 1_000_000_000
MAX_CAPACITY = 1_000_000_000
MAX_DESCRIPTION = 50_000
MAX_HORIZON = timedelta(days=5 * 366)
DEFAULT_PLEDGES = (60,)


@dataclass(frozen=True, slots=True)
class Conversion:
    """A derived quantity per impact unit, e.g. 0.0003 kWh per e-mail deleted."""

    quantity: str
    unit: str
    per_unit: float
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "unit": self.unit,
            "per_unit": self.per_unit,
            "source": self.source,
        }


@dataclass(frozen=True, kw_only=True)
class CampaignInput:
    slug: str
    title: str
    goal_kind: GoalKind
    goal_target: int
    deadline: datetime
    summary: str = ""
    description: str = ""
    categories: Sequence[str] = ()
    language: str = "en"
    kind: CampaignKind = CampaignKind.DIGITAL
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    instructions_url: str = ""
    impact_unit: str = ""
    conversions: Sequence[Conversion] = field(default_factory=tuple)
    pledge_options: Sequence[int] = ()
    capacity: int | None = None
    join_mode: JoinMode = JoinMode.FREE


def clean_text(value: str, *, field: str, maximum: int, required: bool = False) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError(f"{field} is required", field=field)
    if len(cleaned) > maximum:
        raise ValidationError(f"{field} is too long ({maximum} characters at most)", field=field)
    return cleaned


def _pledges(options: Sequence[int]) -> list[int]:
    values = sorted(set(options)) or list(DEFAULT_PLEDGES)
    if len(values) > MAX_PLEDGE_OPTIONS:
        raise ValidationError(
            f"at most {MAX_PLEDGE_OPTIONS} pledge options", field="pledge_options"
        )
    for minutes in values:
        if not 1 <= minutes <= MAX_PLEDGE_MINUTES:
            raise ValidationError(
                f"a pledge must be 1 to {MAX_PLEDGE_MINUTES} minutes, got {minutes}",
                field="pledge_options",
            )
    return values


def _categories(values: Sequence[str]) -> list[str]:
    result: list[str] = []
    for raw in values:
        name = clean_text(raw, field="categories", maximum=50).lower()
        if name and name not in result:
            result.append(name)
    if len(result) > MAX_CATEGORIES:
        raise ValidationError(f"at most {MAX_CATEGORIES} categories", field="categories")
    return result


# One unit of impact worth more than a billion of anything is a typo; far
# larger factors overflow the figures shown (a report counts up to 1e15 units).
MAX_PER_UNIT = 1e9


def _conversions(values: Sequence[Conversion]) -> list[dict[str, Any]]:
    if len(values) > MAX_CONVERSIONS:
        raise ValidationError(f"at most {MAX_CONVERSIONS} conversions", field="conversions")
    result = []
    for item in values:
        if not (math.isfinite(item.per_unit) and 0 < item.per_unit <= MAX_PER_UNIT):
            raise ValidationError(
                f"a conversion factor must be positive, {MAX_PER_UNIT:,.0f} at most",
                field="conversions",
            )
        result.append(
            Conversion(
                quantity=clean_text(item.quantity, field="conversions", maximum=100, required=True),
                unit=clean_text(item.unit, field="conversions", maximum=30, required=True),
                per_unit=item.per_unit,
                source=clean_text(item.source, field="conversions", maximum=500),
            ).as_dict()
        )
    return result


def _place(data: CampaignInput, now: datetime) -> dict[str, Any]:
    if data.kind == CampaignKind.DIGITAL:
        return {
            "instructions_url": normalise_web_url(data.instructions_url, field="instructions_url")
        }
    if (data.latitude is None) != (data.longitude is None):
        raise ValidationError("give both latitude and longitude, or neither", field="latitude")
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        raise ValidationError("latitude must be between -90 and 90", field="latitude")
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        raise ValidationError("longitude must be between -180 and 180", field="longitude")
    if data.starts_at is None:
        raise ValidationError("a physical action needs a start time", field="starts_at")
    # Within five years of today either way, as deadlines are: year 1 or 9999 would
    # overflow the reminder's arithmetic and the pages' clocks.
    if abs(data.starts_at - now) > MAX_HORIZON:
        raise ValidationError("the start must be within five years of today", field="starts_at")
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise ValidationError("the action must end after it starts", field="ends_at")
    if data.ends_at is not None and data.ends_at - data.starts_at > MAX_HORIZON:
        raise ValidationError("the action must end within five years", field="ends_at")
    return {
        "address": clean_text(data.address, field="address", maximum=500, required=True),
        "latitude": data.latitude,
        "longitude": data.longitude,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
    }


def check_deadline(deadline: datetime, now: datetime) -> None:
    if deadline.tzinfo is None:
        raise ValidationError("the deadline needs a time zone", field="deadline")
    if deadline <= now:
        raise ValidationError("the deadline must be in the future", field="deadline")
    if deadline > now + MAX_HORIZON:
        raise ValidationError("the deadline must be within five years", field="deadline")


def validate_campaign(data: CampaignInput, *, now: datetime) -> dict[str, Any]:
    """The model fields for `data`, or ValidationError naming the first field at fault."""
    check_deadline(data.deadline, now)
    if not 1 <= data.goal_target <= MAX_GOAL:
        raise ValidationError(f"the goal must be 1 to {MAX_GOAL:,}", field="goal_target")
    if data.goal_kind == GoalKind.IMPACT and not data.impact_unit.strip():
        raise ValidationError(
            "an impact goal needs its unit (e.g. 'e-mails deleted')", field="impact_unit"
        )
    if data.capacity is not None:
        if not 1 <= data.capacity <= MAX_CAPACITY:
            raise ValidationError(f"the capacity must be 1 to {MAX_CAPACITY:,}", field="capacity")
        if data.goal_kind == GoalKind.PARTICIPANTS and data.capacity < data.goal_target:
            raise ValidationError(
                "the capacity is below the goal: the goal could never be met", field="capacity"
            )
    return {
        "slug": normalise_handle(data.slug, field="slug"),
        "title": clean_text(data.title, field="title", maximum=200, required=True),
        "summary": clean_text(data.summary, field="summary", maximum=500),
        "description_md": clean_text(
            data.description, field="description", maximum=MAX_DESCRIPTION
        ),
        "categories": _categories(data.categories),
        "language": normalise_language(data.language),
        "kind": data.kind,
        "goal_kind": data.goal_kind,
        "goal_target": data.goal_target,
        "impact_unit": clean_text(data.impact_unit, field="impact_unit", maximum=100),
        "conversions": _conversions(data.conversions),
        "pledge_options": _pledges(data.pledge_options),
        "capacity": data.capacity,
        "join_mode": data.join_mode,
        "deadline": data.deadline,
        **_place(data, now),
    }
