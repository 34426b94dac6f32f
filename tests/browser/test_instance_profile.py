"""What admins say about their instance, as visitors see it: its name, its description, its
languages; and the organiser's campaign form read by name (conversion rows, errors with hints)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, every_viewport, fits_width, screenshot
from tests.browser.steps import CLEANUP, DEADLINE, menu

PASSWORD = "admin-password-for-tests"
NAME = "Nantes Solidaire"


def log_in_as_admin(page: Page, server: LiveServer) -> None:
    server.cli("user", "create", "--username", "ysolde", "--email", "ysolde@example.org", "--admin",
               stdin=PASSWORD + "\n")  # fmt: skip
    page.goto("/login")
    page.get_by_label("Username").fill("ysolde")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Admin")).to_be_visible()


def test_the_admins_name_description_and_language_are_the_sites(
    page_on: PageOn, fresh_server: LiveServer
) -> None:
    admin = page_on(fresh_server)
    log_in_as_admin(admin, fresh_server)
    admin.goto("/admin/settings")
    admin.get_by_label("Name of the instance").fill(NAME)
    admin.get_by_label("Description").fill(
        "Run by **Les Amis de la Loire**, for everyone in Nantes. [Our rules](https://amis.example)"
    )
    admin.get_by_label("English").uncheck()  # French only
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_contain_text("The instance settings are saved.")
    expect(admin.locator("html")).to_have_attribute("lang", "fr")  # at once, for everyone
    expect(admin).to_have_title(f"Réglages de l'instance · Administration · {NAME}")

    visitor = page_on(fresh_server, locale="en-GB")  # asks for English: gets what is offered
    icon_loaded: list[int] = []
    visitor.on(
        "response",
        lambda r: icon_loaded.append(r.status) if r.url.endswith("/favicon.svg") else None,
    )
    visitor.goto("/")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor).to_have_title(NAME)
    expect(visitor.get_by_role("banner").get_by_role("link", name=NAME)).to_be_visible()
    about = visitor.locator(".instance-about")
    expect(about.locator("strong")).to_have_text("Les Amis de la Loire")
    expect(about.get_by_role("link", name="Our rules")).to_have_attribute(
        "rel", "nofollow noopener noreferrer"
    )
    expect(visitor.get_by_role("contentinfo")).to_contain_text(NAME)
    expect(visitor.get_by_role("contentinfo").get_by_role("combobox")).to_have_count(
        0
    )  # no switcher
    card = visitor.get_by_role("listitem").filter(has=visitor.get_by_role("heading", name=CLEANUP))
    expect(card.get_by_role("progressbar")).to_have_accessible_name("35\xa0% de l\u2019objectif")
    expect(card.locator(".figures")).to_contain_text("35\xa0%")
    audit(visitor)
    screenshot(visitor, "instance-1-home-named-fr")
    assert icon_loaded, "the page's icon was not asked for"
    assert set(icon_loaded) <= {200, 304}, icon_loaded
    og = visitor.locator('meta[property="og:site_name"]')
    expect(og).to_have_attribute("content", NAME)

    card.get_by_role("link", name=CLEANUP).click()
    expect(visitor).to_have_title(f"{CLEANUP} · {NAME}")
    expect(visitor.locator('meta[property="og:site_name"]')).to_have_count(1)
    favicon = visitor.goto("/favicon.ico")
    assert favicon is not None
    assert favicon.status == 200
    assert favicon.headers["content-type"].startswith("image/svg+xml")


@every_viewport
def test_a_long_name_fits_a_phone(page_on: PageOn, fresh_server: LiveServer) -> None:
    page = page_on(fresh_server)
    log_in_as_admin(page, fresh_server)
    page.goto("/admin/settings")
    long_name = "Association" + "x" * 89  # 100 characters, no space to break at
    page.get_by_label("Name of the instance").fill(long_name)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The instance settings are saved.")
    page.goto("/")
    expect(menu(page).get_by_role("link", name="Discover")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name=long_name)).to_be_visible()
    fits_width(page)
    audit(page)


def test_each_conversion_field_is_named_and_errors_keep_their_hints(
    page: Page, live_server: LiveServer
) -> None:
    live_server.cli("user", "create", "--username", "oriane", "--email", "oriane@example.org",
                    stdin=PASSWORD + "\n")  # fmt: skip
    live_server.cli("association", "create", "--username", "graines", "--name", "Graines",
                    "--owner", "oriane")  # fmt: skip
    page.goto("/login")
    page.get_by_label("Username").fill("oriane")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    menu(page).get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="New campaign").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
    for row in (1, 2):
        for label in ("Quantity", "Unit", "Per impact unit", "Source (URL)"):
            name = f"{label} (conversion {row})"
            expect(page.get_by_role("textbox", name=name, exact=True)).to_have_count(1)
    names = page.locator(".conversion input").evaluate_all(
        "inputs => inputs.map(i => i.labels[0].textContent.replace(/\\s+/g, ' ').trim())"
    )
    assert len(names) == len(set(names)) >= 8, names

    # Everything right but the short name: its error shows, and its hint is still read.
    page.get_by_label("Title", exact=True).fill("Seed swap")
    page.get_by_label("Short name", exact=True).fill("No Spaces!")
    page.get_by_label("Goal", exact=True).fill("25")
    deadline = datetime.now(UTC) + timedelta(days=30)
    page.get_by_label(DEADLINE).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save as draft").click()
    slug = page.get_by_label("Short name", exact=True)
    expect(slug).to_have_attribute("aria-invalid", "true")
    hint = page.locator("#f-slug-hint").inner_text()
    error = page.locator("#f-slug-error").inner_text()
    expect(slug).to_have_accessible_description(
        re.compile(re.escape(error) + r"\s+" + re.escape(hint))
    )
    audit(page)
    screenshot(page, "instance-2-conversion-rows")
