"""The exceptions of the fedimob application, in one tree.

    FedimobError
    ├── ConfigurationError     a setting is missing or invalid (start-up)
    ├── NotFound               no such user, association, campaign...
    ├── PermissionDenied       the actor may not do this
    ├── ValidationError        input refused, with the field at fault
    ├── Conflict               a unique name is taken
    ├── InvalidTransition      the campaign's state does not allow this
    └── JoinRefused            a participation is refused (closed, full, rejected...)

Every message is written for the person who caused it: the CLI prints it as
one line, the web shows it next to the form.
"""

from __future__ import annotations


class FedimobError(Exception):
    """Base of every error the application raises on purpose."""


class ConfigurationError(FedimobError):
    """A setting is missing or invalid."""


class NotFound(FedimobError):
    """The thing asked for does not exist (or is not visible to the asker)."""


class PermissionDenied(FedimobError):
    """The acting person may not do this."""


class ValidationError(FedimobError):
    """Input refused; `field` names the culprit when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(FedimobError):
    """A unique name (username, handle, slug) is already taken; `field` names which."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(FedimobError):
    """The campaign's current state does not allow the requested change."""


class JoinRefused(FedimobError):
    """A participation was refused; `reason` is a stable machine-readable code."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
