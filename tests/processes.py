"""Running fedimob as real processes in tests, and waiting on what they print.

Waiting reads the process's output line by line (in a thread) until a pattern
appears or a deadline passes, so tests never sleep for a fixed time.
"""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FedimobProcess:
    """A `python -m fedimob ...` child whose output lines can be awaited."""

    def __init__(self, *argv: str, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fedimob", *argv],
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """Block until a line matches `pattern`; fail with the output so far."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"process ended before {pattern!r}:\n{self.output}")
            self.lines.append(line)
            if match := regex.search(line):
                return match
        raise AssertionError(f"no line matched {pattern!r} in {timeout}s:\n{self.output}")

    def drain(self) -> None:
        """Move every line printed so far into `lines`, without waiting for more."""
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                return
            if line is None:
                self._queue.put(None)  # keep the end mark for wait_for() and stop()
                return
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=timeout)
        while (line := self._queue.get(timeout=timeout)) is not None:
            self.lines.append(line)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code
