"""The public pages as a person sees them: discover, a campaign, an association, a person."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from fedimob.demo.local import INSTANCE_NAME
from tests.browser.harness import LiveServer, PageOn, audit, every_viewport, fits_width, screenshot

CLEANUP = "River clean-up on Saturday"  # demo: 14 of 40 people, 35 %


def drawn_width(bar: Locator) -> float:
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box is not None
    return box["width"]


@every_viewport
def test_discover_page_shows_running_campaigns_with_their_progress(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title(INSTANCE_NAME)  # the demo names its instance
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=CLEANUP, level=3)
    )
    expect(card.get_by_role("link", name=CLEANUP)).to_have_attribute(
        "href", "/campaigns/loire_cleanup"
    )
    bar = card.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "35")
    expect(bar).to_have_accessible_name("35% of the goal")
    assert drawn_width(bar) > 200
    expect(card).to_contain_text("14 of 40 people")
    expect(page.get_by_role("link", name="Delete duplicate photos")).to_be_visible()  # ended
    expect(page.get_by_text("Unsubscribe week")).to_have_count(0)  # a draft
    audit(page)
    fits_width(page)
    screenshot(page, "discover")


@every_viewport
def test_campaign_page_shows_the_goal_and_how_far_it_is(page: Page) -> None:
    page.goto("/campaigns/loire_cleanup")
    expect(page).to_have_title(f"{CLEANUP} · {INSTANCE_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLEANUP)
    bar = page.get_by_role("main").get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "35")
    expect(bar).to_have_accessible_name("35% of the goal")
    assert drawn_width(bar) >= 300  # the bar spans the column, at either size
    expect(page.locator("main")).to_contain_text("14 of 40 people")
    expect(page.get_by_role("link", name="@amis_de_la_loire")).to_have_attribute(
        "href", "/associations/amis_de_la_loire"
    )
    audit(page)
    fits_width(page)
    screenshot(page, "campaign")


@every_viewport
def test_association_and_person_pages_pass_the_audit(page: Page, live_server: LiveServer) -> None:
    page.goto("/associations/amis_de_la_loire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Les Amis de la Loire")
    expect(page.get_by_role("link", name=CLEANUP)).to_be_visible()
    audit(page)
    fits_width(page)
    screenshot(page, "association")

    page.goto("/users/camille")
    expect(page.get_by_role("heading", level=1)).to_have_text("Camille (organiser)")
    audit(page)
    fits_width(page)


def test_a_join_shows_on_the_next_load(page_on: PageOn, fresh_server: LiveServer) -> None:
    """The page reads live data: someone joining (here through the CLI) counts at once."""
    page = page_on(fresh_server)  # this test changes counts: a server of its own
    page.goto("/campaigns/loire_cleanup")
    expect(page.locator("main")).to_contain_text("14 of 40 people")
    fresh_server.cli("user", "create", "--username", "walker", "--email", "w@example.org",
                     "--no-password")  # fmt: skip
    fresh_server.cli("join", "--user", "walker", "--campaign", "loire_cleanup")
    page.reload()
    expect(page.locator("main")).to_contain_text("15 of 40 people")
