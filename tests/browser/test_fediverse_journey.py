"""Joining with one's Fediverse account: the visitor types their address and lands on their
own server, on the campaign's poll, where one vote is their participation.

Their server is a fake Mastodon on a loopback port: WebFinger for @alice, with its
remote-interaction template, and the page that template leads to. Our server may only
reach it with FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK (over plain http, on a private address).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from activitypub.webfinger import Handle, build_jrd
from tests.browser.harness import LiveServer, PageOn, audit, fits_width, screenshot
from tests.browser.steps import CLEANUP, CLEANUP_PATH, join_box

LANDING_TITLE = "Vote on your own server"


class FakeMastodon:
    """WebFinger for one account, and the remote-interaction page its template names."""

    def __init__(self, username: str) -> None:
        self.username = username
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self.url = f"http://{self.host}"
        self.requests: list[str] = []  # the path and query of each GET, in order
        self._lock = threading.Lock()

    @property
    def handle(self) -> str:
        return f"@{self.username}@{self.host}"

    def seen(self) -> list[str]:
        with self._lock:
            return list(self.requests)

    def answer(self, target: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of `target`."""
        with self._lock:
            self.requests.append(target)
        url = urlsplit(target)
        query = parse_qs(url.query)
        if url.path == "/.well-known/webfinger":
            if query.get("resource") != [f"acct:{self.username}@{self.host}"]:
                return 404, "text/plain", b"no such account"
            jrd = build_jrd(
                Handle(self.username, self.host),
                f"{self.url}/users/{self.username}",
                profile_url=f"{self.url}/@{self.username}",
                subscribe_template=f"{self.url}/authorize_interaction?uri={{uri}}",
            )
            return 200, "application/jrd+json", json.dumps(jrd).encode()
        if url.path == "/authorize_interaction":
            page = (
                f'<!doctype html><html lang="en"><head><title>{LANDING_TITLE}</title></head>'
                f"<body><main><h1>{LANDING_TITLE}</h1>"
                "<p>Log in to vote in this poll.</p></main></body></html>"
            )
            return 200, "text/html; charset=utf-8", page.encode()
        return 404, "text/plain", b"not found"

    def serve(self) -> Iterator[FakeMastodon]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()


def _handler_for(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = fake.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test reads `fake.requests`

    return Handler


@pytest.fixture
def server_settings() -> dict[str, str]:
    """`fresh_server` may ask servers on loopback, over plain http (a development setting)."""
    return {"FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1"}


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    yield from FakeMastodon("alice").serve()


def test_a_fediverse_account_is_sent_to_vote_on_its_own_server(
    page_on: PageOn, fresh_server: LiveServer, mastodon: FakeMastodon
) -> None:
    page = page_on(fresh_server)
    page.goto(CLEANUP_PATH)
    join_box(page).get_by_role("link", name="Join with your Fediverse account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join with your Fediverse account")
    expect(page.get_by_text(CLEANUP)).to_be_visible()
    audit(page)
    fits_width(page)
    screenshot(page, "fediverse-1-form")

    # Not an address: said next to the field, and no server asked.
    address = page.get_by_label("Your Fediverse address")
    address.fill("alice")
    page.get_by_role("button", name="Go to my server").click()
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(address).to_have_accessible_description(
        "Type your address as @you@your.server: the one you use on Mastodon, Misskey, "
        "Friendica or another Fediverse server. For example @you@mastodon.social"
    )  # the error, then the field's hint
    assert mastodon.seen() == []
    audit(page)

    address.fill(mastodon.handle)
    page.get_by_role("button", name="Go to my server").click()
    poll = f"{fresh_server.url}/campaigns/loire_cleanup/poll"
    expect(page).to_have_url(f"{mastodon.url}/authorize_interaction?uri={quote(poll, safe='')}")
    expect(page.get_by_role("heading", level=1)).to_have_text(LANDING_TITLE)
    webfinger, landing = (urlsplit(target) for target in mastodon.seen()[:2])
    assert webfinger.path == "/.well-known/webfinger"
    assert parse_qs(webfinger.query) == {"resource": [f"acct:alice@{mastodon.host}"]}
    assert landing.path == "/authorize_interaction"
    assert parse_qs(landing.query) == {"uri": [poll]}
    screenshot(page, "fediverse-2-landed")

    # Back on the campaign's page later: the address typed is offered again.
    page.goto(CLEANUP_PATH + "/fediverse")
    expect(page.get_by_label("Your Fediverse address")).to_have_value(mastodon.handle)
