"""Filling in the site's forms from tests, as a browser would.

`await submit(client, "/login", {"username": ..., "password": ...})` opens the
page (getting a session and its CSRF token), then posts the form with the
token and our Origin. Pass `page=` when the form lives on another page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from fedimob.domain.accounts import create_account
from fedimob.models import Account

ORIGIN = "https://fedimob.test"
PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def submit(
    client: httpx.AsyncClient,
    path: str,
    data: Mapping[str, str],
    *,
    page: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    form_page = await client.get(page or path, headers=headers)
    token = csrf_from(form_page.text)
    return await client.post(
        path,
        data={"csrf_token": token, **data},
        headers={"origin": ORIGIN, **(headers or {})},
    )


async def make_user(username: str = "alice", *, password: str = PASSWORD, **extra: Any) -> Account:
    fields: dict[str, Any] = {"email": f"{username}@example.org", **extra}
    return await create_account(username=username, password=password, **fields)


async def log_in(
    client: httpx.AsyncClient, username: str = "alice", password: str = PASSWORD
) -> httpx.Response:
    response = await submit(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return response
