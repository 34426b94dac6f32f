"""The instance's time zone: where its campaigns' times are read and shown.

Times are stored and federated in UTC. People, though, meet "on Saturday at
9:00" where the association is: an instance names its IANA time zone (admin
settings, default UTC), and its pages show every moment in that zone and read
the times typed in its forms there.

The zone database comes from the system or, where it has none, from the
`tzdata` package (a dependency), so every IANA name works on every machine.
The list is read on first use, not at import time.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fedimob.errors import ValidationError

DEFAULT_TIME_ZONE = "UTC"
MAX_NAME_LENGTH = 64  # the longest IANA name is 32 characters


@cache
def time_zone_names() -> tuple[str, ...]:
    """The zones admins can choose: UTC, then every `Area/Location`, sorted.

    Legacy aliases without an area ("CET", "EST5EDT", "Factory") are left
    out: they name no place, and some of them no real rules.
    """
    names = sorted(name for name in available_timezones() if "/" in name)
    return (DEFAULT_TIME_ZONE, *(name for name in names if not name.startswith("Etc/")))


def clean_time_zone(name: str) -> str:
    """`name` if it is one of `time_zone_names()`, else ValidationError(field='time_zone')."""
    cleaned = name.strip()
    if len(cleaned) > MAX_NAME_LENGTH or cleaned not in _listed():
        raise ValidationError("unknown time zone", field="time_zone")
    return cleaned


@cache
def zone_named(name: str) -> tzinfo:
    """The zone for a name stored earlier; UTC for one that is not on the list.

    A stored name may come from a machine with a newer zone database, or from
    a hand edit ("Europe" is a folder of the database, not a zone): showing
    UTC (and saying so) beats failing every page. Only listed names are
    looked up, so the cache holds at most the list.
    """
    if name == DEFAULT_TIME_ZONE or name not in _listed():
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a listed file gone since
        return UTC


@cache
def _listed() -> frozenset[str]:
    return frozenset(time_zone_names())


def zone_label(moment: datetime) -> str:
    """The short name of an aware moment's zone as people read it: 'UTC', 'CET', 'CEST'.

    Zones without a common abbreviation give their offset, as the zone
    database writes it ('+03').
    """
    return moment.tzname() or moment.strftime("%z")


def local_time(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` (naive: UTC) as the wall clock in `zone` reads it.

    At the ends of the calendar (another instance may claim 9999-12-31T23:59Z,
    which is past year 9999 in Auckland) the moment is kept on its own clock.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return aware.astimezone(zone)
    except OverflowError:
        return aware


def clock_text(moment: datetime, zone: tzinfo) -> str:
    """A moment for plain-text messages, on `zone`'s clock and named: '2026-12-05 09:00 CET'."""
    local = local_time(moment, zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def from_local_time(wall_clock: datetime, zone: tzinfo) -> datetime:
    """The UTC moment a wall-clock time (naive) in `zone` names.

    A time the clocks skip (02:30 on the night they spring forward) is read
    with the offset before the change, and an ambiguous one (the hour repeated
    in autumn) as its first occurrence: `fold=0`, as zoneinfo does.
    """
    if wall_clock.tzinfo is not None:
        return wall_clock.astimezone(UTC)
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)
