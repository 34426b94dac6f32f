"""The admin pages in a browser: each passes the accessibility audit and fits a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, every_viewport, fits_width, screenshot

PASSWORD = "admin-password-for-tests"
PAGES = {
    "/admin": "Admin",
    "/admin/settings": "Instance settings",
    "/admin/accounts": "Accounts",
    "/admin/blocks": "Domain blocks",
    "/admin/reports": "Reports",
    "/admin/regions": "Regions",
    "/admin/health": "Delivery health",
}


def log_in_as_admin(page: Page, server: LiveServer) -> None:
    server.cli("user", "create", "--username", "ada", "--email", "ada@example.org", "--admin",
               stdin=PASSWORD + "\n")  # fmt: skip
    page.goto("/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Admin")).to_be_visible()


@every_viewport
def test_every_admin_page_passes_the_audit(page_on: PageOn, fresh_server: LiveServer) -> None:
    page = page_on(fresh_server)
    log_in_as_admin(page, fresh_server)
    page.get_by_role("link", name="Admin").click()
    for path, title in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        audit(page)
        fits_width(page)
    page.goto("/admin/blocks")
    page.get_by_label("Domain", exact=True).fill("http://x/y")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_text("Enter the domain alone")).to_be_visible()
    audit(page)  # the form with its error
    page.get_by_label("Domain", exact=True).fill("spam.example")
    page.get_by_label("Reason").fill("floods every inbox")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("spam.example is blocked.")
    expect(page.get_by_role("row", name="spam.example")).to_contain_text("floods every inbox")
    fits_width(page)
    screenshot(page, "admin-blocks")
    page.goto("/admin")
    screenshot(page, "admin-overview")


@every_viewport
def test_suspending_and_reinstating_an_account(page_on: PageOn, fresh_server: LiveServer) -> None:
    page = page_on(fresh_server)
    log_in_as_admin(page, fresh_server)
    fresh_server.cli("user", "create", "--username", "bob", "--email", "bob@example.org",
                     stdin=PASSWORD + "\n")  # fmt: skip
    page.goto("/admin/accounts")
    page.get_by_role("link", name="Suspend @bob").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspend @bob?")
    audit(page)
    fits_width(page)
    page.get_by_label("Reason").fill("spam in every campaign")
    page.get_by_role("button", name="Yes, suspend").click()
    expect(page.get_by_role("status")).to_contain_text("The account @bob is suspended")
    expect(page.get_by_role("row", name="@bob")).to_contain_text("suspended")
    audit(page)
    fits_width(page)
    screenshot(page, "admin-accounts")
    page.get_by_role("link", name="Reinstate @bob").click()
    audit(page)
    page.get_by_role("button", name="Yes, reinstate").click()
    expect(page.get_by_role("status")).to_contain_text("The account @bob is reinstated")
