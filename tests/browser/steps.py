"""Steps that journeys share: signing up and logging in, as a person does it in the browser.

Values of the demo data the journeys rely on are named here too.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

PASSWORD = "a-long-enough-password"
CLEANUP = "River clean-up on Saturday"  # demo: 14 of 40 people (35 %), pledges of 3 hours
CLEANUP_PATH = "/campaigns/loire_cleanup"
# The campaign form's deadline, labelled with the instance's time zone ("Europe/Paris time").
DEADLINE = re.compile(r"^Deadline \([\w/+-]+ time\)$")


def sign_up(page: Page, username: str, *, display_name: str = "") -> None:
    """Fill in and send the sign-up form the page shows; the person is then logged in."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Display name", exact=True).fill(display_name)
    page.get_by_label("E-mail", exact=True).fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Welcome! Your account is ready.")
    expect(menu(page).get_by_role("button", name="Log out")).to_be_visible()


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in from the menu's link, as `username`; ends on the page it leads back to."""
    menu(page).get_by_role("link", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(menu(page).get_by_role("button", name="Log out")).to_be_visible()


def menu(page: Page) -> Locator:
    """The site's main menu, in the header of every page (named in the page's language)."""
    return page.get_by_role("banner").get_by_role("navigation")


def join_box(page: Page) -> Locator:
    """The "Take part" box of a campaign page."""
    return page.get_by_role("region", name="Take part")


def path_is(path: str) -> re.Pattern[str]:
    """For `expect(page).to_have_url(...)`: this path on whatever server, no query."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")
