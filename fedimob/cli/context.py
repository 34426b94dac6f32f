"""What a command runs with: the settings and an open database."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fedimob.db import Database
from fedimob.settings import Settings


@dataclass(frozen=True, slots=True)
class CommandContext:
    settings: Settings
    database: Database


Command = Callable[[argparse.Namespace, CommandContext], Awaitable[int | None]]
