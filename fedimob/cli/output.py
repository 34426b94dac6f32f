"""How commands report: JSON on stdout for data, one line on stderr for errors."""

from __future__ import annotations

import sys
from typing import Any

import orjson


def emit(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()


def fail(message: str) -> None:
    sys.stderr.write(f"fedimob: error: {message}\n")
