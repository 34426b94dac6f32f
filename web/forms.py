"""Reading submitted forms and explaining refusals in the visitor's language."""

from __future__ import annotations

import re

from starlette.datastructures import FormData

from fedimob.errors import Conflict, FedimobError, ValidationError
from web import i18n

# Longer than any field we accept: keeping a little more than that is enough
# for validation to refuse it, and keeps a megabyte paste out of the page.
FIELD_CAP = 4096

FIELD_MESSAGES = {
    "username": i18n.N_(
        "Choose a username of 1 to 64 characters: letters a-z, digits and _, "
        "with single . or - between them. Some names are reserved."
    ),
    "email": i18n.N_("Enter a valid e-mail address (254 characters at most)."),
    "password": i18n.N_("The password must have 10 to 1024 characters."),
    "display_name": i18n.N_("The display name is too long (200 characters at most)."),
    "language": i18n.N_("Choose one of the languages offered."),
}
CONFLICT_MESSAGES = {
    "username": i18n.N_("This username is already taken."),
    "email": i18n.N_("An account with this e-mail address already exists."),
}


# Control characters no one types: NUL cannot even be stored by PostgreSQL.
# Tab, newline and carriage return stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value: str) -> str:
    """The text without the control characters a browser never sends for typed text."""
    return _CONTROLS.sub("", value)


def field(form: FormData, name: str, cap: int = FIELD_CAP) -> str:
    """A text field's value ('' when absent or a file), capped at `cap` characters."""
    value = form.get(name)
    return printable(value[:cap]) if isinstance(value, str) else ""


def form_error_message(error: FedimobError) -> dict[str, str]:
    """{field: message} for a refused form; 'form' when no field is to blame."""
    name = getattr(error, "field", None) or "form"
    if isinstance(error, Conflict):
        message = CONFLICT_MESSAGES.get(name)
    elif isinstance(error, ValidationError):
        message = FIELD_MESSAGES.get(name)
    else:
        message = None
    return {name: i18n.gettext(message) if message else str(error)}
