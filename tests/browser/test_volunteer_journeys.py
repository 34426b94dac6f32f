"""A volunteer's journey: sign up from a campaign, join it, find it again, withdraw."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, every_viewport, fits_width, screenshot
from tests.browser.steps import CLEANUP, CLEANUP_PATH, join_box, menu, path_is, sign_up


def expect_progress(page: Page, people: int, percent: int) -> None:
    """The campaign page's bar and count (the demo's clean-up counts people, 40 wanted)."""
    progress = page.get_by_role("region", name="Progress")
    bar = progress.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", str(percent))
    expect(bar).to_have_accessible_name(f"{percent}% of the goal")
    expect(progress.locator(".figures")).to_contain_text(f"{people} of 40 people · {percent}%")


@every_viewport
def test_a_volunteer_signs_up_joins_and_withdraws(
    page_on: PageOn, fresh_server: LiveServer
) -> None:
    page = page_on(fresh_server)  # joining changes the counts others read: a server of its own
    page.goto(CLEANUP_PATH)
    expect_progress(page, 14, 35)
    box = join_box(page)
    box.get_by_role("link", name="Sign up and join").click()

    # One step: the form, then back on the campaign, logged in.
    audit(page)
    fits_width(page)
    screenshot(page, "volunteer-1-signup")
    sign_up(page, "riverside_fan", display_name="Riverside Fan")
    expect(page).to_have_url(path_is(CLEANUP_PATH))
    join = box.get_by_role("button", name="Join", exact=True)
    expect(join).to_be_visible()
    expect(box.get_by_role("radio", name="3 hr")).to_be_checked()  # the only pledge offered
    audit(page)

    join.click()
    expect(page.get_by_role("status")).to_contain_text("You're in: 3 hr. Thank you!")
    expect(box).to_contain_text("You're in: you pledged 3 hr.")
    expect_progress(page, 15, 37)
    audit(page)
    fits_width(page)
    screenshot(page, "volunteer-2-joined")

    menu(page).get_by_role("link", name="My participations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My participations")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=CLEANUP))
    cells = [CLEANUP, "accepted", "3 hr", "on this site", "—", "—"]
    expect(row.get_by_role("cell")).to_contain_text(cells)
    audit(page)
    fits_width(page)
    screenshot(page, "volunteer-3-participations")

    # One click to withdraw, from the campaign's page; the count goes back.
    row.get_by_role("link", name=CLEANUP).click()
    expect(page).to_have_url(path_is(CLEANUP_PATH))
    box.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You have withdrawn. Thank you for telling us."
    )
    expect_progress(page, 14, 35)
    expect(box).to_contain_text("You withdrew. You can join again.")
    expect(box.get_by_role("button", name="Join", exact=True)).to_be_visible()
    audit(page)
    fits_width(page)
    screenshot(page, "volunteer-4-withdrawn")


def test_a_visitors_bar_moves_when_someone_joins_without_a_reload(
    page_on: PageOn, fresh_server: LiveServer
) -> None:
    watcher = page_on(fresh_server)
    watcher.goto(CLEANUP_PATH)
    expect_progress(watcher, 14, 35)
    joiner = page_on(fresh_server)
    joiner.goto(CLEANUP_PATH)
    join_box(joiner).get_by_role("link", name="Sign up and join").click()
    sign_up(joiner, "live_watcher_friend")
    join_box(joiner).get_by_role("button", name="Join", exact=True).click()
    expect_progress(joiner, 15, 37)
    # live.js fetches the figures every 30 s; the test asks for a round at once,
    # until the server's page cache (2 s) gives the new ones.
    watcher.wait_for_function(
        "() => { window.fedimobLiveRefresh();"
        " return document.querySelector('[data-live] progress').value === 37; }",
        polling=500,
    )
    expect_progress(watcher, 15, 37)
    expect(watcher.locator("[data-live]")).to_have_attribute("aria-live", "polite")
    audit(watcher)
    screenshot(watcher, "volunteer-5-live-progress")
