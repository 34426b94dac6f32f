"""Logging in as an admin or as someone who is not, for the admin pages' tests."""

from __future__ import annotations

import httpx

from fedimob.models import Account
from tests.web.forms import log_in, make_user

# Every admin page, and every form the admin pages post to (with a harmless body).
ADMIN_PAGES = ["/admin", "/admin/settings", "/admin/blocks", "/admin/reports", "/admin/regions",
               "/admin/health", "/admin/accounts"]  # fmt: skip
ADMIN_FORMS = [
    ("/admin/settings", {"name": "Taken over", "languages": "en", "registrations": "closed"}),
    ("/admin/blocks", {"domain": "spam.example", "reason": "spam"}),
    ("/admin/blocks/remove", {"domain": "spam.example"}),
    ("/admin/reports/1", {"action": "resolve"}),
    ("/admin/regions", {"target": "region.example"}),
    ("/admin/regions/unfollow", {"follow_id": "1"}),
    ("/admin/regions/cancel", {"request_id": "1"}),
    ("/admin/accounts/1/suspend", {"reason": "taken over"}),
    ("/admin/accounts/1/grant_admin", {}),
]


async def log_in_admin(client: httpx.AsyncClient, username: str = "margot") -> Account:
    account = await make_user(username, is_admin=True)
    await log_in(client, username)
    return account


async def log_in_volunteer(client: httpx.AsyncClient, username: str = "vera") -> Account:
    account = await make_user(username)
    await log_in(client, username)
    return account
