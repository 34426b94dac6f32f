"""Job kinds and their handlers: a registry, not an if/elif chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class JobRun:
    """What a handler is given: the job's payload, the time, and which attempt this is."""

    payload: dict[str, Any]
    now: datetime
    attempt: int = 1
    max_attempts: int = 10

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


JobHandler = Callable[[JobRun], Awaitable[None]]


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (the job fails at once)."""


class RetryLater(Exception):
    """Raised by a handler that knows when to try again (e.g. a peer's Retry-After).

    `delay=None` means the handler's own policy gave up: the job fails for good.
    """

    def __init__(self, reason: str, *, delay: float | None) -> None:
        super().__init__(reason)
        self.delay = delay


class JobRegistry:
    """Maps a job kind (`"campaign.deadline"`) to the coroutine that runs it."""

    def __init__(self) -> None:
        self._handlers: dict[str, JobHandler] = {}

    def register(self, kind: str) -> Callable[[JobHandler], JobHandler]:
        def decorator(handler: JobHandler) -> JobHandler:
            if kind in self._handlers:
                raise ValueError(f"job kind {kind!r} is registered twice")
            self._handlers[kind] = handler
            return handler

        return decorator

    def get(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))
