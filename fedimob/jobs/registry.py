"""Job kinds and their handlers: a registry, not an if/elif chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

JobHandler = Callable[[dict[str, Any], datetime], Awaitable[None]]


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (the job fails at once)."""


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
