"""The Jinja2 environment: autoescaping on, and a few display filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from starlette.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"


def duration(minutes: int) -> str:
    """90 -> '1 h 30', 45 -> '45 min', 240 -> '4 h'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours:,} h {rest:02d}" if rest else f"{hours:,} h"


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def when(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d %b %Y, %H:%M UTC")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters.update(duration=duration, number=number, when=when)
    return templates
