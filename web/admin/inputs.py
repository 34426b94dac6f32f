"""Reading the admin forms' small fields: ids and bounded lists."""

from __future__ import annotations

from starlette.datastructures import FormData

from web.forms import field, printable

MAX_ID_DIGITS = 18


def form_id(form: FormData, name: str) -> int | None:
    """A positive integer id from a form field, or None."""
    value = field(form, name).strip()
    if not value.isascii() or not value.isdigit() or len(value) > MAX_ID_DIGITS:
        return None
    return int(value) or None


def form_choices(form: FormData, name: str, limit: int = 20) -> list[str]:
    """The string values of a repeated field (checkboxes), at most `limit` of them."""
    return [printable(value) for value in form.getlist(name)[:limit] if isinstance(value, str)]
