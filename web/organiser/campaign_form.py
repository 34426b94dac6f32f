"""The campaign form: what was typed, read into a `CampaignInput`, and the messages of
its refusals, each for the field at fault.

Everything typed is kept as text (`values`) so a refused form comes back as it
was sent. Text that cannot even be read (a goal of "lots", a date of "soon")
is refused here, field by field; the rest of the rules are the domain's
(`campaign_input.validate_campaign`), which names the first field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import FormData

from fedimob.domain.campaign_input import (
    MAX_CONVERSIONS,
    MAX_DESCRIPTION,
    CampaignInput,
    Conversion,
)
from fedimob.domain.time_zones import from_local_time, local_time
from fedimob.errors import Conflict, FedimobError, ValidationError
from fedimob.models import Campaign, CampaignKind, GoalKind, JoinMode
from web import i18n
from web.forms import field as text_field

E = TypeVar("E", bound=StrEnum)

TEXT_FIELDS = (
    "title", "slug", "summary", "categories", "language", "kind", "address", "latitude",
    "longitude", "starts_at", "ends_at", "instructions_url", "goal_kind", "goal_target",
    "impact_unit", "pledge_options", "capacity", "join_mode", "deadline",
)  # fmt: skip
# What a published campaign may still change (through edit_campaign, federated as an Update).
PUBLISHED_FIELDS = ("title", "summary", "description", "deadline")
CONVERSION_PARTS = ("quantity", "unit", "per_unit", "source")
EMPTY_ROWS = 2  # blank conversion rows offered below the filled ones (no script needed)

FIELD_MESSAGES = {
    "title": i18n.N_("Give the campaign a title of 1 to 200 characters."),
    "slug": i18n.N_(
        "Choose a short name of 1 to 64 characters: letters a-z, digits and _, "
        "with single . or - between them. Some names are reserved."
    ),
    "summary": i18n.N_("The summary is too long (500 characters at most)."),
    "description": i18n.N_("The description is too long (50,000 characters at most)."),
    "categories": i18n.N_(
        "Give at most 10 categories, separated by commas, of 50 characters at most each."
    ),
    "language": i18n.N_("Enter a language code, such as en or fr."),
    "kind": i18n.N_("Choose a digital or a physical action."),
    "address": i18n.N_("A physical action needs an address (500 characters at most)."),
    "latitude": i18n.N_("Give both latitude (-90 to 90) and longitude (-180 to 180), or neither."),
    "longitude": i18n.N_("Give both latitude (-90 to 90) and longitude (-180 to 180), or neither."),
    "starts_at": i18n.N_(
        "A physical action needs the date and time it starts, within five years of today."
    ),
    "ends_at": i18n.N_("The end must be a date and time after the start, within five years."),
    "instructions_url": i18n.N_(
        "Enter a web address starting with http:// or https://, or nothing."
    ),
    "goal_kind": i18n.N_("Choose what the goal counts."),
    "goal_target": i18n.N_("The goal must be a whole number from 1 to 1,000,000,000."),
    "impact_unit": i18n.N_(
        "An impact goal needs its unit, such as 'e-mails deleted' (100 characters at most)."
    ),
    "conversions": i18n.N_(
        "Each conversion needs a quantity (100 characters at most), a unit (30 at most) and "
        "a positive number per unit (a billion at most); its source is optional (500 at most). "
        "10 at most."
    ),
    "pledge_options": i18n.N_(
        "Give 1 to 10 durations in minutes, separated by commas, each from 1 to 10,080 (a week)."
    ),
    "capacity": i18n.N_(
        "The capacity must be a whole number from 1 to 1,000,000,000, and not below "
        "the goal when the goal counts people."
    ),
    "join_mode": i18n.N_("Choose how people join."),
    "deadline": i18n.N_("The deadline must be a date and time in the future, within five years."),
}
CONFLICT_MESSAGES = {"slug": i18n.N_("This short name is already taken.")}


@dataclass(slots=True)
class CampaignValues:
    """The form as typed: text fields, the description, and the conversion rows."""

    fields: dict[str, str]
    description: str = ""
    conversions: list[dict[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.description if name == "description" else self.fields.get(name, "")

    def rows(self) -> list[dict[str, str]]:
        """The conversion rows to show: the filled ones, then a few blank ones."""
        blank = dict.fromkeys(CONVERSION_PARTS, "")
        filled = [row for row in self.conversions if any(row.values())]
        room = max(0, MAX_CONVERSIONS - len(filled))
        return filled + [dict(blank) for _ in range(min(EMPTY_ROWS, room))]


def blank_values(language: str) -> CampaignValues:
    return CampaignValues(
        {
            "language": language,
            "kind": CampaignKind.DIGITAL,
            "goal_kind": GoalKind.PARTICIPANTS,
            "join_mode": JoinMode.FREE,
            "pledge_options": "60",
        }
    )


def read_values(form: FormData) -> CampaignValues:
    """What the form sent, capped (a longer description is kept just long enough to refuse)."""
    conversions = [
        {part: text_field(form, f"conversion-{n}-{part}") for part in CONVERSION_PARTS}
        for n in range(MAX_CONVERSIONS + EMPTY_ROWS)
    ]
    return CampaignValues(
        {name: text_field(form, name) for name in TEXT_FIELDS},
        text_field(form, "description", MAX_DESCRIPTION + 1),
        [row for row in conversions if any(value.strip() for value in row.values())],
    )


def moment_text(moment: datetime | None) -> str:
    """A stored moment as <input type="datetime-local"> takes it, 2026-12-05T09:00: the wall
    clock of the instance's zone (what the form sends back is read there too)."""
    if not moment:
        return ""
    # isoformat, not strftime: strftime writes year 1 as "1", which no browser reads.
    return local_time(moment, i18n.current_zone()).replace(tzinfo=None).isoformat("T", "minutes")


def read_moment(text: str) -> datetime:
    """A typed time: `2026-12-05T09:00` on the instance's clock, or ISO 8601 with an
    offset (kept as typed); ValueError for anything else."""
    return from_local_time(datetime.fromisoformat(text.strip()), i18n.current_zone())


def values_of(campaign: Campaign) -> CampaignValues:
    """A stored campaign as the form shows it."""
    return CampaignValues(
        {
            "title": campaign.title,
            "slug": campaign.slug,
            "summary": campaign.summary,
            "categories": ", ".join(campaign.categories),
            "language": campaign.language,
            "kind": str(campaign.kind),
            "address": campaign.address,
            "latitude": "" if campaign.latitude is None else str(campaign.latitude),
            "longitude": "" if campaign.longitude is None else str(campaign.longitude),
            "starts_at": moment_text(campaign.starts_at),
            "ends_at": moment_text(campaign.ends_at),
            "instructions_url": campaign.instructions_url,
            "goal_kind": str(campaign.goal_kind),
            "goal_target": str(campaign.goal_target),
            "impact_unit": campaign.impact_unit,
            "pledge_options": ", ".join(str(m) for m in campaign.pledge_options),
            "capacity": "" if campaign.capacity is None else str(campaign.capacity),
            "join_mode": str(campaign.join_mode),
            "deadline": moment_text(campaign.deadline),
        },
        campaign.description_md,
        [
            {
                "quantity": str(item.get("quantity", "")),
                "unit": str(item.get("unit", "")),
                "per_unit": repr(float(str(item.get("per_unit", 0)))),  # exact, to save again
                "source": str(item.get("source", "")),
            }
            for item in campaign.conversions
        ],
    )


class FormErrors(Exception):
    """Fields that could not be read, each with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class _Reader:
    """Reads typed text into values, noting each field that cannot be read."""

    def __init__(self, values: CampaignValues, stored: Campaign | None = None) -> None:
        self.values = values
        self.stored = stored
        self.failed: list[str] = []

    def _read(self, name: str, parse: Callable[[str], object]) -> object:
        text = self.values.get(name).strip()
        if not text:
            return None
        try:
            return parse(text)
        except (ValueError, OverflowError):
            self.failed.append(name)
            return None

    def whole(self, name: str) -> int | None:
        value = self._read(name, int)
        return value if isinstance(value, int) else None

    def decimal(self, name: str) -> float | None:
        value = self._read(name, lambda text: float(text.replace(",", ".")))
        return value if isinstance(value, float) else None

    def moment(self, name: str) -> datetime | None:
        # A time left as the form showed it keeps the stored moment: the form shows minutes
        # on the local clock, and the autumn hour that happens twice reads back as its first.
        stored: datetime | None = getattr(self.stored, name, None) if self.stored else None
        if stored is not None and self.values.get(name).strip() == moment_text(stored):
            return stored
        value = self._read(name, read_moment)
        return value if isinstance(value, datetime) else None

    def choice(self, name: str, kind: type[E], default: E) -> E:
        value = self._read(name, kind)
        return value if isinstance(value, kind) else default

    def minutes(self) -> list[int]:
        value = self._read(
            "pledge_options", lambda text: [int(part) for part in text.split(",") if part.strip()]
        )
        return value if isinstance(value, list) else []

    def conversions(self) -> list[Conversion]:
        result = []
        for row in self.values.conversions:
            try:
                per_unit = float(row["per_unit"].strip().replace(",", "."))
            except ValueError:
                self.failed.append("conversions")
                continue
            result.append(Conversion(row["quantity"], row["unit"], per_unit, row["source"]))
        return result


def to_input(
    values: CampaignValues, *, slug: str | None = None, stored: Campaign | None = None
) -> CampaignInput:
    """The CampaignInput the form describes; FormErrors for text that cannot be read.

    A missing number or date is read as absent; the domain then says whether
    it was required. Times shown from `stored` (the campaign edited) and sent
    back unchanged keep their stored moment.
    """
    read = _Reader(values, stored)
    data = CampaignInput(
        slug=values.get("slug") if slug is None else slug,
        title=values.get("title"),
        goal_kind=read.choice("goal_kind", GoalKind, GoalKind.PARTICIPANTS),
        goal_target=read.whole("goal_target") or 0,
        deadline=read.moment("deadline") or datetime.min.replace(tzinfo=UTC),
        summary=values.get("summary"),
        description=values.get("description"),
        categories=[part for part in values.get("categories").split(",") if part.strip()],
        language=values.get("language") or "en",
        kind=read.choice("kind", CampaignKind, CampaignKind.DIGITAL),
        address=values.get("address"),
        latitude=read.decimal("latitude"),
        longitude=read.decimal("longitude"),
        starts_at=read.moment("starts_at"),
        ends_at=read.moment("ends_at"),
        instructions_url=values.get("instructions_url"),
        impact_unit=values.get("impact_unit"),
        conversions=read.conversions(),
        pledge_options=read.minutes(),
        capacity=read.whole("capacity"),
        join_mode=read.choice("join_mode", JoinMode, JoinMode.FREE),
    )
    if read.failed:
        raise FormErrors({name: message_for(name) for name in read.failed})
    return data


def message_for(name: str, error: FedimobError | None = None) -> str:
    table = CONFLICT_MESSAGES if isinstance(error, Conflict) else FIELD_MESSAGES
    message = table.get(name)
    return i18n.gettext(message) if message else str(error or "")


def refusal(error: FedimobError) -> dict[str, str]:
    """{field: message} for the domain's refusal ('form' when no field is named)."""
    name = getattr(error, "field", None)
    if isinstance(error, (ValidationError, Conflict)) and name in FIELD_MESSAGES:
        return {name: message_for(name, error)}
    return {"form": str(error)}
