"""Forgetting a password in a real browser, on a server without SMTP (the link is in its log).

What only a browser shows: a page served with `Referrer-Policy: no-referrer` makes Chromium
send `Origin: null` with its forms' POSTs (the reset form, the header's log-out), which the
CSRF check refuses. So the mailed link only redirects (with that policy) and every page,
including "this link does not work", keeps the site's policy and working forms.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, fits_width, screenshot
from tests.browser.steps import menu, path_is

NEW_PASSWORD = "a new password from the link"
LINK = re.compile(r"password reset link for @camille .*?: (http://\S+/password/reset/\S+)")


def link_from_log(server: LiveServer, timeout: float = 20) -> str:
    """The worker logs the link (no FEDIMOB_SMTP_URL); it runs within a second or so."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += server.new_output()
        found = LINK.search(seen)
        if found:
            return found[1]
        time.sleep(0.2)
    raise AssertionError(f"no reset link in the server's log:\n{seen}")


def test_a_person_resets_a_forgotten_password(page_on: PageOn, fresh_server: LiveServer) -> None:
    page: Page = page_on(fresh_server)  # camille's password changes: a server of its own
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    audit(page)
    fits_width(page)
    screenshot(page, "password-1-forgot")
    page.get_by_label("E-mail", exact=True).fill("camille@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    audit(page)

    link = link_from_log(fresh_server)
    page.goto(link)
    expect(page).to_have_url(path_is("/password/reset"))  # the token left the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    audit(page)
    fits_width(page)
    screenshot(page, "password-2-reset")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    # Logged in, still in the language she was reading (her account's is French).
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("status")).to_contain_text("Your new password is set")
    expect(menu(page).get_by_role("button", name="Log out")).to_be_visible()

    # The link served once; the old password is gone, the new one opens the account.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    menu(page).get_by_role("button", name="Log out").click()
    menu(page).get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Username", exact=True).fill("camille")
    page.get_by_label("Password", exact=True).fill("demo-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    # A plain login: from now on her account's language, French.
    expect(menu(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
