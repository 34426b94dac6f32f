"""What browser journeys use: a live `fedimob serve`, viewports, screenshots, the axe audit.

The fixtures built on these live in tests/browser/conftest.py (its docstring says how to
write a journey); this module holds the plain functions and values, so a journey can import
them: ``from tests.browser.harness import audit, every_viewport, fits_width, screenshot``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.processes import FedimobProcess, free_port

try:
    from playwright.sync_api import Page
except ImportError:  # a venv from before `make dev` added it: the suite skips (or fails on CI)
    Page = Any  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("FEDIMOB_TEST_CHROMIUM", "/usr/bin/chromium"))
ON_CI = os.environ.get("CI") == "true"
# Every page passed at moderate once its last moderate violations were fixed (landmark-unique
# on the admin pages), so moderate fails too; minor violations are printed.
FAILING_IMPACTS = ("moderate", "serious", "critical")
# Rules that fail the audit whatever impact axe gives a violation: each was broken once and
# fixed. Two landmarks of one role and name (the admin pages' tables), content outside any
# landmark, a field with two labels, an aria-describedby naming nothing (a field's error and
# hint are both listed).
MUST_PASS = ("landmark-unique", "region", "form-field-multiple-labels", "aria-valid-attr-value")

# --- what the suite needs ---------------------------------------------------------------------


def missing_requirement() -> str | None:
    """Why the browser suite cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (run `make dev`)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (run `make browser-deps`, or set FEDIMOB_TEST_CHROMIUM)"
    if not AXE.is_file():
        return f"axe-core is not installed at {AXE.relative_to(ROOT)} (run `make browser-deps`)"
    return None


# --- viewports --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool = False


VIEWPORTS = {
    "desktop": Viewport("desktop", 1280, 800),
    "phone": Viewport("phone", 375, 812, mobile=True),
}

# On a journey: runs it once per viewport, its `page` (and `viewport`) sized accordingly.
every_viewport = pytest.mark.parametrize("viewport", list(VIEWPORTS), indirect=True)


# --- the live server --------------------------------------------------------------------------


@dataclass
class LiveServer:
    """One `fedimob serve` process on a loopback port, with its own database."""

    url: str
    env: dict[str, str]
    process: FedimobProcess
    lines_seen: int = field(default=0)

    def cli(self, *argv: str, stdin: str = "") -> Any:
        """Run `fedimob ARGV...` on the server's database; its JSON output, parsed."""
        return fedimob_cli(self.env, *argv, stdin=stdin)

    def new_output(self) -> str:
        """What the server printed since the last call (tracebacks of a 500, say)."""
        self.process.drain()
        text = "".join(self.process.lines[self.lines_seen :])
        self.lines_seen = len(self.process.lines)
        return text


def start_live_server(
    database_url: str, *, demo: bool = True, settings: Mapping[str, str] | None = None
) -> LiveServer:
    """A migrated `database_url` -> demo data (optional) -> a serving process, ready.

    `settings`: more FEDIMOB_* variables for the server and its CLI (over the defaults).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDIMOB_")}
    env |= {
        "FEDIMOB_URL": url,
        "FEDIMOB_DATABASE_URL": database_url,
        "FEDIMOB_SECRET_KEY": "browser-tests-" + "k" * 40,
        "FEDIMOB_WORKER_POLL_SECONDS": "0.2",
        **(settings or {}),
    }
    if demo:
        fedimob_cli(env, "demo")
    process = FedimobProcess("serve", "--port", str(port), env=env)
    try:
        process.wait_for("Application startup complete", timeout=60)
    except AssertionError:
        process.stop()
        raise
    return LiveServer(url, env, process, lines_seen=len(process.lines))


def fedimob_cli(env: dict[str, str], *argv: str, stdin: str = "") -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "fedimob", *argv],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"fedimob {' '.join(argv)}: {done.stderr}"
    return json.loads(done.stdout) if done.stdout.strip() else None


class PageOn(Protocol):
    """The `page_on` fixture: a page on another server than `live_server` (`fresh_server`,
    say), its browser speaking `locale` (Accept-Language)."""

    def __call__(self, server: LiveServer, *, locale: str = "en-GB") -> Page: ...


# --- helpers a journey calls ------------------------------------------------------------------


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in artifacts/screenshots/NAME-WIDTHxHEIGHT.png (kept by CI)."""
    size = page.viewport_size or {"width": 0, "height": 0}
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = SCREENSHOTS / f"{slug}-{size['width']}x{size['height']}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def audit(page: Page, *, disable: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on moderate, serious or critical violations, and on any
    of a rule in MUST_PASS, listed readably.

    Returns every violation found (minor ones are printed, not failed on). `disable` turns
    off axe rules by id, for a reason the caller states in a comment.
    """
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) still
    # holds for the page itself while axe runs.
    page.evaluate(_axe_source())
    rules = {rule: {"enabled": False} for rule in disable}
    options = {"resultTypes": ["violations"], "rules": rules}
    result = page.evaluate("options => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS or v["id"] in MUST_PASS]
    minor = [v for v in violations if v not in failing]
    if minor:
        print(describe_violations(page.url, minor, "minor"))
    if failing:
        pytest.fail(describe_violations(page.url, failing, "failing"), pytrace=False)
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]], label: str) -> str:
    lines = [f"{len(violations)} {label} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}] {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"  * {target}: {node['html'][:160]}\n    {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"  * ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def fits_width(page: Page) -> None:
    """Assert the page does not scroll sideways; name the elements that stick out if it does."""
    widths = page.evaluate(
        """() => ({
            scroll: document.scrollingElement.scrollWidth,
            inner: window.innerWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 10)
                .map(e => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}`
                          + ` (right edge ${Math.round(e.getBoundingClientRect().right)}px)`),
        })"""
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways at {widths['inner']}px wide: content is "
        f"{widths['scroll']}px; too wide: {', '.join(widths['wide']) or '?'}"
    )


_axe: list[str] = []


def _axe_source() -> str:
    if not _axe:
        _axe.append(AXE.read_text(encoding="utf-8"))
    return _axe[0]
