"""An organiser's journey: from the dashboard, a campaign written, checked, published, found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, fits_width, screenshot
from tests.browser.steps import DEADLINE, PASSWORD, log_in, menu, path_is

TITLE = "Seed swap at the shared gardens"
DEADLINE_ERROR = "The deadline must be a date and time in the future, within five years."


def make_organiser(server: LiveServer) -> None:
    """Morgane, owner of the association Jardins partagés, made by the operator's CLI."""
    server.cli("user", "create", "--username", "morgane", "--email", "morgane@example.org",
               "--display-name", "Morgane", stdin=PASSWORD + "\n")  # fmt: skip
    server.cli("association", "create", "--username", "jardins_partages",
               "--name", "Jardins partagés", "--owner", "morgane")  # fmt: skip


def moment(when: datetime) -> str:
    """As a datetime-local input takes it."""
    return when.strftime("%Y-%m-%dT%H:%M")


def fill_in_the_campaign(page: Page, deadline: str) -> None:
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Short name", exact=True).fill("seed_swap")
    page.get_by_label("Summary", exact=True).fill("Bring seeds, take seeds: an afternoon together.")
    page.get_by_label("Description", exact=True).fill(
        "Come with **your own seeds** and leave with others.\n\n- tomatoes\n- beans"
    )
    page.get_by_label("Goal", exact=True).fill("25")
    page.get_by_label(DEADLINE).fill(deadline)


def test_an_organiser_writes_previews_and_publishes_a_campaign(
    page_on: PageOn, fresh_server_without_demo: LiveServer
) -> None:
    server = fresh_server_without_demo  # an empty site: the new campaign is all it shows
    make_organiser(server)
    page = page_on(server)
    page.goto("/")
    expect(page.get_by_text("No campaign yet.")).to_be_visible()
    log_in(page, "morgane")
    menu(page).get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    association = page.get_by_role("region", name="Jardins partagés")
    expect(association).to_contain_text("No campaign yet.")
    audit(page)
    fits_width(page)
    association.get_by_role("link", name="New campaign").click()

    # A deadline in the past: refused, the message next to the field, the rest kept.
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
    audit(page)
    fill_in_the_campaign(page, deadline="2020-03-01T18:00")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The campaign was not saved: see the fields marked below."
    )
    deadline = page.get_by_label(DEADLINE)
    expect(deadline).to_have_attribute("aria-invalid", "true")
    # The error, then the field's hint: both are read.
    expect(deadline).to_have_accessible_description(
        f"{DEADLINE_ERROR} When joining closes and the outcome is known."
    )
    field = page.locator(".field").filter(has=deadline)
    expect(field.locator(".error")).to_have_text(DEADLINE_ERROR)
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.locator(".error:not(.form-error)")).to_have_count(1)  # that field alone
    audit(page)
    field.scroll_into_view_if_needed()
    screenshot(page, "organiser-1-form-error")

    # Fixed, then previewed: the Markdown as it will show, nothing saved yet.
    deadline.fill(moment(datetime.now(UTC) + timedelta(days=30)))
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview (not saved yet)")
    expect(preview.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(preview.locator("strong")).to_have_text("your own seeds")
    expect(preview.get_by_role("listitem")).to_have_text(["tomatoes", "beans"])
    expect(page.get_by_label(DEADLINE)).not_to_have_attribute("aria-invalid", "true")
    audit(page)
    screenshot(page, "organiser-2-preview")

    page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_url(path_is("/dashboard/campaigns/seed_swap/edit"))
    expect(page.get_by_role("status")).to_contain_text(
        "The draft is saved. Publish it when it is ready."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    audit(page)
    page.get_by_role("button", name="Publish the campaign").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The campaign is published: anyone can see it and join."
    )
    expect(page.get_by_role("link", name="Public page")).to_have_attribute(
        "href", "/campaigns/seed_swap"
    )
    audit(page)
    fits_width(page)
    screenshot(page, "organiser-3-published")

    menu(page).get_by_role("link", name="Dashboard").click()
    running = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=TITLE))
    expect(running).to_contain_text("0 of 25 people")
    audit(page)
    screenshot(page, "organiser-4-dashboard")

    menu(page).get_by_role("link", name="Discover").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=TITLE))
    expect(card.get_by_role("link", name=TITLE)).to_have_attribute("href", "/campaigns/seed_swap")
    expect(card).to_contain_text("Bring seeds, take seeds: an afternoon together.")
    expect(card).to_contain_text("0 of 25 people")
    audit(page)
    fits_width(page)
    screenshot(page, "organiser-5-discover")
