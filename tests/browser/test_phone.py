"""On a phone (375x812): find a campaign, reach its join box, sign up, see the Join button."""

from __future__ import annotations

from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.harness import audit, fits_width, screenshot
from tests.browser.steps import CLEANUP, CLEANUP_PATH, join_box, menu, path_is, sign_up

on_a_phone = pytest.mark.parametrize("viewport", ["phone"], indirect=True)


def expect_on_screen(page: Page, element: Locator) -> None:
    """Scrolled to, it is in view and fits the screen's width."""
    element.scroll_into_view_if_needed()
    expect(element).to_be_in_viewport()
    box = element.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert size is not None
    inside = box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    assert inside, f"{element} sticks out of the {size['width']}px screen: {box}"


def expect_menu_reachable(page: Page, *names: str) -> None:
    for name in names:
        expect_on_screen(page, menu(page).get_by_role("link", name=name, exact=True))


@on_a_phone
def test_a_phone_finds_a_campaign_signs_up_and_can_join(page: Page) -> None:
    # The shared demo server: nothing here changes what other tests read (a new account).
    page.goto("/")
    expect_menu_reachable(page, "Discover", "Log in", "Sign up")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=CLEANUP))
    expect_on_screen(page, card)
    expect_on_screen(page, card.get_by_role("progressbar"))
    audit(page)
    fits_width(page)
    screenshot(page, "phone-1-discover")

    card.get_by_role("link", name=CLEANUP).click()
    expect(page).to_have_url(path_is(CLEANUP_PATH))
    box = join_box(page)
    expect_on_screen(page, box.get_by_role("heading", name="Take part"))
    expect_on_screen(page, box.get_by_role("link", name="Sign up and join"))
    expect_on_screen(page, box.get_by_role("link", name="Join with your Fediverse account"))
    audit(page)
    fits_width(page)
    screenshot(page, "phone-2-campaign")

    box.get_by_role("link", name="Sign up and join").click()
    for label in ("Username", "Display name", "E-mail", "Password"):
        expect_on_screen(page, page.get_by_label(label, exact=True))
    expect_on_screen(page, page.get_by_role("button", name="Sign up", exact=True))
    audit(page)
    fits_width(page)
    screenshot(page, "phone-3-signup")

    sign_up(page, f"pocket_{uuid4().hex[:8]}")
    expect(page).to_have_url(path_is(CLEANUP_PATH))
    expect_menu_reachable(page, "Discover", "My participations")
    expect_on_screen(page, menu(page).get_by_role("button", name="Log out"))
    expect_on_screen(page, box.get_by_role("radio", name="3 hr"))
    expect_on_screen(page, box.get_by_role("button", name="Join", exact=True))
    audit(page)
    fits_width(page)
    screenshot(page, "phone-4-join-box")
