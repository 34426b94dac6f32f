"""French and English: the browser's language first, then the visitor's own choice."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.harness import LiveServer, PageOn, audit, screenshot
from tests.browser.steps import CLEANUP, menu


def expect_language(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_a_french_browser_gets_french_pages_and_can_switch_to_english(
    page_on: PageOn, live_server: LiveServer
) -> None:
    page = page_on(live_server, locale="fr-FR")  # Accept-Language: fr-FR
    page.goto("/")
    expect_language(page, "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campagnes")
    expect(page.get_by_role("heading", level=2, name="En cours")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Découvrir")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("navigation", name="Principal")).to_be_visible()
    expect(page.get_by_role("button", name="Afficher")).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=CLEANUP))
    expect(card).to_contain_text("14 sur 40 personnes")
    expect(card.get_by_role("progressbar")).to_have_accessible_name("35 % de l\u2019objectif")
    audit(page)
    screenshot(page, "languages-1-discover-fr")

    card.get_by_role("link", name=CLEANUP).click()
    expect_language(page, "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLEANUP)  # the campaign's words
    box = page.get_by_role("region", name="Participer")  # "Take part"
    expect(box.get_by_role("link", name="Créer un compte et participer")).to_be_visible()
    expect(page.get_by_role("heading", name="En pratique")).to_be_visible()
    expect(page.get_by_role("heading", name="Faire passer le mot")).to_be_visible()
    audit(page)
    screenshot(page, "languages-2-campaign-fr")

    # The footer's switcher: English now, and on the next pages, whatever the browser says.
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(CLEANUP)  # the same page
    expect(page.get_by_role("heading", name="Practical details")).to_be_visible()
    expect(page.get_by_label("Language")).to_have_value("en")
    menu(page).get_by_role("link", name="Discover").click()
    expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    expect(page.get_by_role("heading", level=2, name="Running now")).to_be_visible()
    audit(page)
    screenshot(page, "languages-3-discover-en")
