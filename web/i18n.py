"""Languages: the catalogues, the choice of a request's locale, and localised display.

The `.po` files under `web/translations/` are read when the app is built (not at
import time), straight into gettext catalogues, so no compile step stands
between editing a translation and `make run`.

Which languages a request may get is the admins' choice (the instance
profile's "languages offered", a subset of `LANGUAGES`): `supported()` and
`negotiate()` take that set, and `offered()` names its languages for a menu.

The locale of the request being served lives in a context variable: each
request runs in its own task, and `use_locale()` resets it on the way out, so
concurrent requests never see each other's language. Templates and Python code
translate through the same `gettext()`. The instance's time zone goes with the
locale: `when` and `day` show moments in it, and forms read typed times in it
(`current_zone()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache, wraps
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar, cast

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from babel.units import format_unit

from fedimob.clock import parse_datetime, utcnow
from fedimob.domain.time_zones import DEFAULT_TIME_ZONE, local_time, zone_label, zone_named

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "en"
# The languages the site is translated into, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français"}
SUPPORTED = tuple(LANGUAGES)
EN_DASH = "\u2013"  # between the times of a span
FILTER_CACHE_SIZE = 4096  # answers kept per display filter


@dataclass(frozen=True, slots=True)
class ActiveLocale:
    code: str
    locale: Locale
    translations: NullTranslations
    zone: tzinfo = UTC


_NULL = NullTranslations()
_current: ContextVar[ActiveLocale | None] = ContextVar("fedimob_locale", default=None)


class Catalogues:
    """Every language's translations, read from the `.po` files once.

    A language may have several files (`messages.po`, then one per area of the
    site, e.g. `organiser.po`), merged in that order.
    """

    def __init__(self, directory: Path = TRANSLATIONS) -> None:
        self._by_code: dict[str, NullTranslations] = {}
        for code in SUPPORTED:
            translations: NullTranslations = _NULL
            for path in po_files(directory / code / "LC_MESSAGES"):
                translations = _merged(translations, _read(path, code))
            self._by_code[code] = translations

    def active(self, code: str, time_zone: str = DEFAULT_TIME_ZONE) -> ActiveLocale:
        """`code`'s translations (English for a code not translated), showing times in
        the zone named `time_zone`."""
        code = code if code in self._by_code else DEFAULT_LOCALE
        return ActiveLocale(code, Locale.parse(code), self._by_code[code], zone_named(time_zone))


def po_files(folder: Path) -> list[Path]:
    """A language's catalogue files: `messages.po` first, then the others by name."""
    return sorted(folder.glob("*.po"), key=lambda path: (path.name != "messages.po", path.name))


def _merged(base: NullTranslations, more: Translations) -> NullTranslations:
    if isinstance(base, Translations):
        base.merge(more)
        return base
    return more


def _read(path: Path, code: str) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled)


@contextmanager
def use_locale(active: ActiveLocale) -> Iterator[None]:
    """Translate and format in `active` until the block ends."""
    token = _current.set(active)
    try:
        yield
    finally:
        _current.reset(token)


def current_locale() -> str:
    active = _current.get()
    return active.code if active else DEFAULT_LOCALE


def current_zone() -> tzinfo:
    """The zone in which this request shows and reads times (UTC outside a request)."""
    active = _current.get()
    return active.zone if active else UTC


def _locale() -> Locale:
    active = _current.get()
    return active.locale if active else Locale.parse(DEFAULT_LOCALE)


def gettext(message: str) -> str:
    active = _current.get()
    return active.translations.gettext(message) if active else message


def ngettext(singular: str, plural: str, n: int) -> str:
    active = _current.get()
    if active is None:
        return singular if n == 1 else plural
    return active.translations.ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Marks a string for extraction, to be translated later with `gettext()`."""
    return message


_ = gettext
N_ = gettext_noop


# Stored enum values shown to people (campaign kinds, states, outcomes, roles...),
# translated by the `label` filter: `{{ c.kind|label }}`.
LABELS = {
    "digital": N_("digital"),
    "physical": N_("physical"),
    "draft": N_("draft"),
    "published": N_("published"),
    "ended": N_("ended"),
    "cancelled": N_("cancelled"),
    "succeeded": N_("succeeded"),
    "missed": N_("missed"),
    "requested": N_("requested"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "owner": N_("owner"),
    "organiser": N_("organiser"),
}


def label(value: object) -> str:
    text = str(value)
    return gettext(LABELS[text]) if text in LABELS else text


def offered(codes: Iterable[str]) -> dict[str, str]:
    """The languages of `codes` that the site is translated into, each named in itself."""
    chosen = set(codes)
    return {code: name for code, name in LANGUAGES.items() if code in chosen}


def supported(code: str | None, offered: Iterable[str] = SUPPORTED) -> str | None:
    """`code` if it is one of the `offered` languages the site is translated into, else None."""
    return code if code in LANGUAGES and code in set(offered) else None


def negotiate(accept_language: str, offered: Iterable[str] = SUPPORTED) -> str:
    """The best of the `offered` locales for an Accept-Language header.

    When none matches: English if offered, else the first offered language.
    """
    available = [code for code in SUPPORTED if code in set(offered)] or [DEFAULT_LOCALE]
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:32]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            choices.append((-quality, position, tag.strip()))
    preferred = [tag for _q, _p, tag in sorted(choices)]
    fallback = DEFAULT_LOCALE if DEFAULT_LOCALE in available else available[0]
    return negotiate_locale(preferred, available, sep="-") or fallback


# Display filters (their names are the templates'): all follow the request's locale.
#
# Babel formats a figure or a date in tens of microseconds, and a page shows
# hundreds (a dashboard's charts list every day with its count): the filters
# whose text depends only on the value, the language and the time zone keep
# their recent answers for each.

Filter = TypeVar("Filter", bound=Callable[..., str])


def _kept_per_locale(function: Filter) -> Filter:
    """`function`, its answers kept per (arguments, language, zone): a pure filter only."""

    @lru_cache(maxsize=FILTER_CACHE_SIZE, typed=True)
    def kept(code: str, zone: tzinfo, folds: tuple[int, ...], *values: Any) -> str:
        return function(*values)

    @wraps(function)
    def cached(*values: Any) -> str:
        active = _current.get()
        try:
            hash(values)
        except TypeError:
            active = None  # a value that cannot be a key is formatted afresh
        if active is None:
            return function(*values)
        # The two 02:30s of the night clocks go back are equal datetimes; their folds differ.
        folds = tuple(value.fold if isinstance(value, datetime) else 0 for value in values)
        return kept(active.code, active.zone, folds, *values)

    return cast(Filter, cached)


@_kept_per_locale
def number(value: float | int | Decimal) -> str:
    """12 -> '12', 1234.5 -> '1,234.5' (en) or '1 234,5' (fr).

    A figure too large for Babel's decimal context (about 1e27: a remote
    campaign may claim anything) is written plainly rather than failing the page.
    """
    try:
        return format_decimal(value, format="#,##0.#", locale=_locale())
    except InvalidOperation:
        return f"{float(value):.3g}"


@_kept_per_locale
def percent(value: float | int | Decimal) -> str:
    """A percentage given in percent: 35 -> '35%' (en), '35 %' (fr, with a no-break space)."""
    try:
        return format_percent(Decimal(str(value)) / 100, format=None, locale=_locale())
    except InvalidOperation:
        return f"{float(value):.3g}%"


@_kept_per_locale
def duration(minutes: int) -> str:
    """90 -> '1 hr 30 min' (en), '1 h 30 min' (fr); exact, never rounded."""
    hours, rest = divmod(int(minutes), 60)
    locale = _locale()
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=locale))
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="short", locale=locale))
    return " ".join(parts)


def _as_datetime(value: str | datetime) -> datetime:
    """A moment (naive: UTC) on the wall clock of the request's zone."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return local_time(moment, current_zone())


@_kept_per_locale
def when(value: str | datetime | None) -> str:
    """A moment as date and time in the instance's zone, named:
    'Dec 5, 2026, 09:00 UTC' / '5 déc. 2026, 10:00 CET'."""
    if not value:
        return ""
    moment = _as_datetime(value)
    return _on_day(moment, format_time(moment, "HH:mm", locale=_locale()))


@_kept_per_locale
def span(start: str | datetime, end: str | datetime | None) -> str:
    """From `start` to `end`: 'Dec 12, 2026, 09:00-12:00 CET' (an en dash) within a day (on the
    instance's clock), else both in full: 'Dec 12, 2026, 21:00 CET to Dec 13, 2026, 01:00 CET'."""
    if not end:
        return when(start)
    first, last, locale = _as_datetime(start), _as_datetime(end), _locale()
    if first.date() != last.date() or zone_label(first) != zone_label(last):
        return gettext("%(start)s to %(end)s") % {"start": when(start), "end": when(end)}
    times = (format_time(moment, "HH:mm", locale=locale) for moment in (first, last))
    return _on_day(first, EN_DASH.join(times))


def _on_day(moment: datetime, times: str) -> str:
    """`times` on `moment`'s day, in the locale's order, then the zone: '5 déc. 2026, 10:00 CET'."""
    locale = _locale()
    pattern = str(locale.datetime_formats["medium"]).replace("'", "")
    shown_day = format_date(moment, "medium", locale=locale)
    return f"{pattern.replace('{0}', times).replace('{1}', shown_day)} {zone_label(moment)}"


@_kept_per_locale
def day(value: str | date | datetime | None) -> str:
    """A date alone: 'Dec 5, 2026' / '5 déc. 2026'; a moment as the instance's zone dates
    it, a `date` as it is (a calendar day names no moment to convert)."""
    if not value:
        return ""
    shown = _as_datetime(value) if isinstance(value, str | datetime) else value
    return format_date(shown, "medium", locale=_locale())


def ago(value: str | datetime | None) -> str:
    """How long ago (or until) a moment, roughly: '3 days ago' / 'il y a 3 jours'."""
    if not value:
        return ""
    delta: timedelta = _as_datetime(value) - utcnow()
    return format_timedelta(delta, add_direction=True, locale=_locale())
