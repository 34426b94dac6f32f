"""What admins say about their instance: name, description, languages, time zone, registrations.

Stored as `InstanceSetting` rows (fedimob.domain.instance_settings), validated
here so the web form and any future command refuse the same things. The
description is Markdown (plain text is valid Markdown), kept as written and
rendered to sanitised HTML once, when saved.

`instance_profile()` reads every key in one query. Every page shows the
profile (the name in the header and title, the languages offered), so pages
read it through `shown_instance_profile()`, which keeps it in memory for
`PROFILE_CACHE_SECONDS` per database: saving the profile refreshes this
process's copy at once, and other processes (more servers) see the change
within that time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from weakref import WeakKeyDictionary

from tortoise.context import TortoiseContext, get_current_context

from fedimob.db import in_transaction
from fedimob.domain.instance_settings import DEFAULTS, REGISTRATIONS_OPEN, set_setting
from fedimob.domain.text import render_markdown
from fedimob.domain.time_zones import DEFAULT_TIME_ZONE, clean_time_zone, zone_named
from fedimob.errors import ValidationError
from fedimob.models import Account, InstanceSetting

audit = logging.getLogger("fedimob.audit")

# The texts in one JSON object (a bare JSON string is not a value Tortoise stores).
TEXTS = "instance_texts"
LANGUAGES = "languages_offered"
TIME_ZONE = "time_zone"  # {"name": "Europe/Paris"}

# The languages the site is translated into (web/translations has one folder each).
OFFERABLE_LANGUAGES = ("en", "fr")
DEFAULT_NAME = "fedimob"
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 4000
PROFILE_CACHE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    name: str = DEFAULT_NAME
    description: str = ""
    # Rendered from `description` and sanitised (safe to insert as HTML).
    description_html: str = ""
    languages: tuple[str, ...] = OFFERABLE_LANGUAGES
    registrations_open: bool = True
    # IANA name of the zone in which pages show and read times (fedimob.domain.time_zones).
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def zone(self) -> tzinfo:
        """The time zone itself (UTC for a stored name that is no listed zone)."""
        return zone_named(self.time_zone)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("the instance needs a name", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"the name is too long ({MAX_NAME_LENGTH} characters at most)", field="name"
        )
    return cleaned


def _clean_description(description: str) -> str:
    cleaned = description.replace("\r\n", "\n").strip()
    if len(cleaned) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"the description is too long ({MAX_DESCRIPTION_LENGTH} characters at most)",
            field="description",
        )
    if any(ord(char) < 0x20 and char not in "\n\t" for char in cleaned):
        raise ValidationError("the description contains control characters", field="description")
    return cleaned


def _clean_languages(languages: Sequence[str]) -> tuple[str, ...]:
    chosen = set(languages)
    if not chosen or not chosen <= set(OFFERABLE_LANGUAGES):
        raise ValidationError(
            f"offer at least one of {', '.join(OFFERABLE_LANGUAGES)}", field="languages"
        )
    return tuple(code for code in OFFERABLE_LANGUAGES if code in chosen)


async def instance_profile() -> InstanceProfile:
    """The instance's profile as stored (defaults for what was never set), in one query."""
    keys = (TEXTS, LANGUAGES, REGISTRATIONS_OPEN, TIME_ZONE)
    stored: dict[str, Any] = {
        row.key: row.value for row in await InstanceSetting.filter(key__in=keys)
    }
    texts: dict[str, Any] = stored[TEXTS] if isinstance(stored.get(TEXTS), dict) else {}
    languages = stored.get(LANGUAGES)
    zone: dict[str, Any] = stored[TIME_ZONE] if isinstance(stored.get(TIME_ZONE), dict) else {}
    return InstanceProfile(
        name=str(texts.get("name") or DEFAULT_NAME),
        description=str(texts.get("description") or ""),
        description_html=str(texts.get("description_html") or ""),
        languages=(
            tuple(code for code in OFFERABLE_LANGUAGES if code in languages)
            if isinstance(languages, list) and set(languages) & set(OFFERABLE_LANGUAGES)
            else OFFERABLE_LANGUAGES
        ),
        registrations_open=bool(stored.get(REGISTRATIONS_OPEN, DEFAULTS[REGISTRATIONS_OPEN])),
        time_zone=str(zone.get("name") or DEFAULT_TIME_ZONE),
    )


@dataclass(slots=True)
class _Kept:
    profile: InstanceProfile | None = None
    expires: float = 0.0
    # Bumped by every save, so a read that started before a save does not keep its result.
    generation: int = 0


# Per database (one process may serve several instances: the federation tests do).
_kept: WeakKeyDictionary[TortoiseContext, _Kept] = WeakKeyDictionary()


def _kept_for_current_database() -> _Kept | None:
    context = get_current_context()
    if context is None:
        return None
    return _kept.setdefault(context, _Kept())


async def shown_instance_profile(*, now: float | None = None) -> InstanceProfile:
    """The profile as pages show it: read at most once per `PROFILE_CACHE_SECONDS`.

    `now` (a `time.monotonic()` value) is for tests.
    """
    moment = time.monotonic() if now is None else now
    kept = _kept_for_current_database()
    if kept is None:
        return await instance_profile()
    if kept.profile is not None and moment < kept.expires:
        return kept.profile
    generation = kept.generation
    profile = await instance_profile()
    if kept.generation == generation:
        kept.profile, kept.expires = profile, moment + PROFILE_CACHE_SECONDS
    return profile


def _forget_shown_profile() -> None:
    kept = _kept_for_current_database()
    if kept is not None:
        kept.profile, kept.expires = None, 0.0
        kept.generation += 1


async def update_instance_profile(
    *,
    name: str,
    description: str,
    languages: Sequence[str],
    registrations_open: bool,
    time_zone: str,
    by: Account,
) -> InstanceProfile:
    """Validate and store the profile; `ValidationError.field` names the field at fault."""
    profile = InstanceProfile(
        name=_clean_name(name),
        description=(text := _clean_description(description)),
        description_html=render_markdown(text) if text else "",
        languages=_clean_languages(languages),
        registrations_open=registrations_open,
        time_zone=clean_time_zone(time_zone),
    )
    async with in_transaction():
        texts = {
            "name": profile.name,
            "description": profile.description,
            "description_html": profile.description_html,
        }
        await set_setting(TEXTS, texts)
        await set_setting(LANGUAGES, list(profile.languages))
        await set_setting(REGISTRATIONS_OPEN, profile.registrations_open)
        await set_setting(TIME_ZONE, {"name": profile.time_zone})
    _forget_shown_profile()  # after the commit: a read from now on sees the new profile
    audit.info(
        "admin %s updated the instance settings (registrations %s, languages %s, time zone %s)",
        by.username,
        "open" if registrations_open else "closed",
        ",".join(profile.languages),
        profile.time_zone,
    )
    return profile
