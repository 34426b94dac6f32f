"""The checks the journeys rely on do catch what they are for, on pages made to fail them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.harness import audit, every_viewport, fits_width, screenshot

BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a href="/x"></a>
</main></body></html>"""
GOOD_PAGE = """<!doctype html><html lang="en"><head><title>ok</title></head><body><main>
<h1>Fine</h1><p>Nothing wrong.</p>
</main></body></html>"""


def test_the_audit_fails_on_serious_violations_and_names_them(page: Page) -> None:
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception) as failed:
        audit(page)
    report = str(failed.value)
    assert "image-alt [critical]" in report  # an image with no text alternative
    assert "link-name [serious]" in report  # a link with no name
    assert "https://dequeuniversity.com/rules/axe/" in report
    assert "<img" in report


# Moderate violations (rules of harness.MUST_PASS, too): two landmarks of one role and name,
# and text outside any landmark.
REGRESSED_PAGE = """<!doctype html><html lang="en"><head><title>again</title></head><body>
<p>Outside every landmark.</p>
<main><h1>Fine?</h1>
<section aria-label="Jobs"><p>one</p></section><section aria-label="Jobs"><p>two</p></section>
</main></body></html>"""
# A minor violation only: an image whose alternative repeats the text beside it.
MINOR_PAGE = """<!doctype html><html lang="en"><head><title>minor</title></head><body><main>
<h1>Fine</h1><p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Seeds"> Seeds</p>
</main></body></html>"""


def test_the_audit_fails_on_moderate_violations_too(page: Page) -> None:
    page.set_content(REGRESSED_PAGE)
    with pytest.raises(pytest.fail.Exception) as failed:
        audit(page)
    report = str(failed.value)
    assert "landmark-unique [moderate]" in report
    assert "region [moderate]" in report


def test_the_audit_prints_minor_violations_without_failing(page: Page) -> None:
    page.set_content(MINOR_PAGE)
    found = audit(page)
    assert [(v["id"], v["impact"]) for v in found] == [("image-redundant-alt", "minor")]


def test_the_audit_passes_a_clean_page_and_returns_what_it_found(page: Page) -> None:
    page.set_content(GOOD_PAGE)
    assert audit(page) == []


@every_viewport
def test_fits_width_names_what_sticks_out(page: Page) -> None:
    page.set_content('<body style="margin:0"><p>fine</p></body>')
    fits_width(page)
    page.set_content('<body style="margin:0"><div class="wide" style="width:2000px">x</div></body>')
    with pytest.raises(AssertionError, match=r"scrolls sideways .* div\.wide"):
        fits_width(page)


def test_screenshots_are_named_after_the_viewport(page: Page) -> None:
    page.set_content("<p>hello</p>")
    path = screenshot(page, "harness check: hello")
    assert path.name == "harness-check-hello-1280x800.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    path.unlink()
