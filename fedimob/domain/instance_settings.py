"""The instance's own settings that admins change at run time (stored, not environment).

Each known key has a default, so a fresh instance works before anyone sets
anything: registrations are open until an admin closes them.
"""

from __future__ import annotations

from typing import Any

from fedimob.models import InstanceSetting

REGISTRATIONS_OPEN = "registrations_open"
DEFAULTS: dict[str, Any] = {REGISTRATIONS_OPEN: True}


async def get_setting(key: str) -> Any:
    row = await InstanceSetting.get_or_none(key=key)
    return row.value if row is not None else DEFAULTS.get(key)


async def set_setting(key: str, value: Any) -> None:
    await InstanceSetting.update_or_create(defaults={"value": value}, key=key)


async def registrations_open() -> bool:
    return bool(await get_setting(REGISTRATIONS_OPEN))
