"""In-process copies of what every status reply reads, so a busy bot does not ask the database for them each time.

* members by channel identity, and tasks with their assignments: read-through, kept `ttl` seconds, and dropped
  whenever this process commits an ordinary transaction (joining, /lang, imports, the CLI's use cases in this
  process) or an event falls back to one. Changes made by another process (the CLI) show within `ttl`.
* each chat's pending state, and which task each sent message is about: written through when their rows are
  committed by the `BatchWriter`; an ordinary transaction that changes a chat's state drops that chat's copy.
  A miss reads the database, so a restart or a row written elsewhere is always seen.

Only events running on a read-only session (storage.batching) use the copies. Ordinary transactions always read
the database, and they never put the objects they load here (those objects belong to their session).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from storage.models import Member, Task, TaskUnit

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MISSING: Any = object()

TTL_SECONDS = 10.0
ENTRIES = 10_000


class _Recent(Generic[K, V]):
    """A bounded map whose entries expire `ttl` seconds after they were stored (None: never)."""

    def __init__(self, ttl: float | None, limit: int, clock: Callable[[], float]) -> None:
        self._ttl, self._limit, self._clock = ttl, limit, clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V:
        """The value, or MISSING."""
        found = self._entries.get(key)
        if found is None:
            return MISSING  # type: ignore[no-any-return]
        if self._ttl is not None and self._clock() > found[0]:
            del self._entries[key]
            return MISSING  # type: ignore[no-any-return]
        return found[1]

    def put(self, key: K, value: V) -> None:
        expires = self._clock() + self._ttl if self._ttl is not None else 0.0
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def drop(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class ReadCache:
    def __init__(self, *, ttl: float = TTL_SECONDS, limit: int = ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.members: _Recent[tuple[str, str], Member] = _Recent(ttl, limit, clock)
        self.tasks: _Recent[int, tuple[Task, list[TaskUnit]]] = _Recent(ttl, limit, clock)
        # the stored JSON (decoded for each event, so no handler can change the copy kept here)
        self.pending: _Recent[tuple[str, str], str | None] = _Recent(None, limit, clock)
        self.sent: _Recent[tuple[str, str, str], int] = _Recent(None, limit, clock)

    def forget_shared(self) -> None:
        """Members and tasks may have changed: read them again."""
        self.members.clear()
        self.tasks.clear()
