"""Setting the instance's profile from tests, as an admin saving /admin/settings would."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fedimob.domain.instance_profile import InstanceProfile, update_instance_profile
from fedimob.models import Account
from tests.web.forms import make_user

_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


async def set_profile(
    *,
    name: str = "fedimob",
    description: str = "",
    languages: Sequence[str] = ("en", "fr"),
    registrations_open: bool = True,
    time_zone: str = "UTC",
) -> InstanceProfile:
    admin = await Account.get_or_none(username="ines") or await make_user("ines", is_admin=True)
    return await update_instance_profile(
        name=name,
        description=description,
        languages=languages,
        registrations_open=registrations_open,
        time_zone=time_zone,
        by=admin,
    )


def title_of(html: str) -> str:
    found = _TITLE.search(html)
    assert found, "the page has no <title>"
    return found.group(1).strip()
