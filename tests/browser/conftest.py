"""Browser journeys: real Chromium (Debian's, driven by Playwright) on a real `fedimob serve`.

Needs: the `playwright` Python package (dev extras), Chromium at /usr/bin/chromium (or
FEDIMOB_TEST_CHROMIUM) and axe-core in tests/browser/node_modules; `make browser-deps`
installs the last two. Without them the tests here are skipped with the reason, except on
CI (CI=true), where they fail: CI must run them.

Fixtures
    live_server      one `fedimob serve` for tests/browser/ on 127.0.0.1:<free port>, its own
                     database (SQLite, or a schema of FEDIMOB_TEST_DATABASE_URL) loaded with
                     `fedimob demo` (organiser camille / demo-password). Shared by every test:
                     a journey that changes data must not break another (use fresh names, or
                     `fresh_server`). `.url`, `.cli("campaign", "show", "x")` runs the CLI on
                     its database and returns the parsed JSON, `.new_output()` is what the
                     server printed since last asked.
    fresh_server     the same, but started for this test alone (a few seconds): for journeys
                     that change what others read. `fresh_server_without_demo` is empty.
                     Both take their extra FEDIMOB_* settings from the fixture
                     `server_settings` (none), which a test module may override, e.g.
                     `{"FEDIMOB_DEV_ALLOW_PRIVATE_NETWORK": "1"}` to reach a fake peer.
    browser          headless Chromium, one for tests/browser/.
    viewport         the page's size: desktop (1280x800) unless parametrized; the marker
                     `every_viewport` (harness) runs a test at desktop and phone (375x812).
    page             a new browser context + page at `viewport`, with `base_url` set to the
                     live server (so `page.goto("/campaigns/x")`). When the test ends it fails
                     if the page had a JavaScript error, a console error (CSP violations are
                     console errors), a 5xx response, or a 4xx for anything but a page (a
                     missing style sheet, image...), with the server's output.
    page_on          page_on(server) -> a page on another server (e.g. `fresh_server`), same
                     checks. `page_on(server, locale="fr-FR")`: the browser's language (its
                     Accept-Language; en-GB otherwise).

Helpers (tests/browser/harness.py)
    screenshot(page, "name")   full-page PNG in artifacts/screenshots/name-WxH.png (kept by
                               CI, git-ignored); prints the path.
    audit(page)                axe-core on the current page; fails on moderate, serious
                               and critical violations and on any of the rules in
                               harness.MUST_PASS, listing rule, help link, element and fix;
                               prints the minor ones.
    fits_width(page)           asserts no sideways scrolling (scrollWidth <= innerWidth).

Steps (tests/browser/steps.py)
    sign_up(page, "name")      fills in the sign-up form shown, and checks the welcome.
    log_in(page, "name")       from the menu's "Log in" (password steps.PASSWORD).
    menu(page), join_box(page) the header's menu; a campaign's "Take part" box.

A journey::

    from playwright.sync_api import Page, expect
    from tests.browser.harness import audit, every_viewport, fits_width, screenshot

    @every_viewport
    def test_a_campaign_page(page: Page) -> None:
        page.goto("/campaigns/loire_cleanup")
        expect(page.get_by_role("heading", level=1)).to_have_text("River clean-up on Saturday")
        audit(page)
        fits_width(page)
        screenshot(page, "campaign")

A journey that changes data takes `page_on` and `fresh_server` (`page = page_on(fresh_server)`).
Playwright's sync API is used: journeys are plain functions, not async (its event loop runs in
the test thread while the browser is open, so the browser lives for tests/browser/ only).
Screenshots to look at: `.venv/bin/python -m pytest tests/browser -s` prints their paths.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import (
    CHROMIUM,
    HERE,
    ON_CI,
    SCREENSHOTS,
    VIEWPORTS,
    LiveServer,
    PageOn,
    Viewport,
    missing_requirement,
    start_live_server,
)
from tests.conftest import DatabaseFactory

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright
except ImportError:
    sync_playwright = None  # type: ignore[assignment]

if sync_playwright is None and not ON_CI:
    # The journeys import playwright: without it they cannot even be collected.
    collect_ignore_glob = ["test_*.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser suite when its tools are missing; never on CI, where it fails."""
    reason = missing_requirement()
    if reason is None or ON_CI:
        return
    skip = pytest.mark.skip(reason=f"browser tests: {reason}")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if sync_playwright is None and not ON_CI:
        terminalreporter.write_line(f"browser tests not collected: {missing_requirement()}")
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Fails (CI) when something the browser suite needs is missing; else it was skipped."""
    reason = missing_requirement()
    if reason is not None:
        pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)


def _serve(
    test_databases: DatabaseFactory,
    name: str,
    directory: Path,
    demo: bool,
    settings: dict[str, str] | None = None,
) -> LiveServer:
    # Playwright's sync API keeps an event loop running in this thread while the browser is
    # open, so asyncio.run() must happen in another one.
    with ThreadPoolExecutor(1) as thread:
        database = thread.submit(asyncio.run, test_databases.another(name, directory)).result()
    return start_live_server(database.url, demo=demo, settings=settings)


@pytest.fixture(scope="package")
def live_server(
    browser_tools: None, test_databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = _serve(test_databases, "browser", tmp_path_factory.mktemp("browser"), demo=True)
    try:
        yield server
    finally:
        server.process.stop()


@pytest.fixture
def server_settings() -> dict[str, str]:
    """More FEDIMOB_* settings for `fresh_server`: none; a test module may override this."""
    return {}


@pytest.fixture
def fresh_server(
    browser_tools: None,
    test_databases: DatabaseFactory,
    tmp_path: Path,
    server_settings: dict[str, str],
) -> Iterator[LiveServer]:
    server = _serve(test_databases, "browser_fresh", tmp_path, demo=True, settings=server_settings)
    try:
        yield server
    finally:
        server.process.stop()


@pytest.fixture
def fresh_server_without_demo(
    browser_tools: None,
    test_databases: DatabaseFactory,
    tmp_path: Path,
    server_settings: dict[str, str],
) -> Iterator[LiveServer]:
    server = _serve(test_databases, "browser_fresh", tmp_path, demo=False, settings=server_settings)
    try:
        yield server
    finally:
        server.process.stop()


@pytest.fixture(scope="package")
def browser(browser_tools: None, test_databases: DatabaseFactory) -> Iterator[Browser]:
    # Package scope: the browser, and the event loop Playwright's sync API keeps running in
    # this thread, are gone before the async tests of other packages. `test_databases` is set
    # up first for the same reason (its set-up calls asyncio.run()).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return VIEWPORTS[getattr(request, "param", "desktop")]


@pytest.fixture
def page_on(browser: Browser, viewport: Viewport) -> Iterator[PageOn]:
    opened: list[tuple[Page, LiveServer, list[str]]] = []

    def open_page(server: LiveServer, *, locale: str = "en-GB") -> Page:
        context = browser.new_context(
            base_url=server.url,
            viewport={"width": viewport.width, "height": viewport.height},
            is_mobile=viewport.mobile,
            has_touch=viewport.mobile,
            locale=locale,
            timezone_id="Europe/Paris",
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            # A failed load is reported by on_response, with its URL; a page may be a 404.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                problems.append(f"console error on {page.url}: {message.text}")

        def on_response(response: Response) -> None:
            request = response.request
            if response.status >= 500:
                problems.append(f"{response.status} from {request.method} {response.url}")
            # A page may be a 404 on purpose; its style sheet, its icon... may not.
            elif response.status >= 400 and request.resource_type != "document":
                problems.append(f"{response.status} for {response.url} on {page.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("response", on_response)
        server.new_output()  # what the server says from here on is this test's
        opened.append((page, server, problems))
        return page

    yield open_page
    failures = []
    for page, server, problems in opened:
        page.context.close()
        if problems:
            output = server.new_output()
            failures.append("\n".join(problems) + (f"\nserver output:\n{output}" if output else ""))
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def page(page_on: PageOn, live_server: LiveServer) -> Page:
    return page_on(live_server)
