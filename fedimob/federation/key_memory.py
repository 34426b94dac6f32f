"""Parsed public keys remembered by id, so most inbox requests need no query."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from activitypub.verify import ResolvedKey


@dataclass
class KeyMemory:
    """Parsed keys by id, for a few minutes: most inbox requests need no query at all.

    A key rotated meanwhile fails verification once, and the pipeline then
    asks again with `refresh=True`, which bypasses this memory.
    """

    ttl: float = 600.0
    size: int = 20_000
    clock: Callable[[], float] = time.monotonic
    _keys: OrderedDict[str, tuple[ResolvedKey, float]] = field(default_factory=OrderedDict)

    def get(self, key_id: str) -> ResolvedKey | None:
        found = self._keys.get(key_id)
        if found is None or found[1] < self.clock():
            return None
        self._keys.move_to_end(key_id)
        return found[0]

    def put(self, key_id: str, key: ResolvedKey) -> None:
        self._keys[key_id] = (ResolvedKey(key.public_key, key.owner), self.clock() + self.ttl)
        self._keys.move_to_end(key_id)
        while len(self._keys) > self.size:
            self._keys.popitem(last=False)

    def forget_owner(self, owner: str) -> None:
        for key_id in [k for k, (key, _) in self._keys.items() if key.owner == owner]:
            del self._keys[key_id]
