"""Writes that many events share one transaction for (group commit), and events that only read until they commit.

A status reply needs a handful of rows written (the status, its audit entry, the chat's pending state, then which
task the confirmation is about). Run one transaction per event, and the statements, the BEGIN and the COMMIT
cost more than everything else the bot does for the reply. So an event whose writes are all plain inserts or
upserts runs on a *read-only* session that collects them (`defer`), and `BatchWriter` commits the collected
writes of all the events waiting at that moment in one transaction: one statement per kind of row (executemany),
one COMMIT. Each event still waits for its own commit before it answers, so nothing is confirmed to a user
before it is stored, and a failed batch is retried event by event, so one event's bad row never costs another
event its writes.

A read-only session refuses ORM writes (`NeedsTransaction`); the router then runs that event again the ordinary
way, as one transaction of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cache import ReadCache

log = logging.getLogger(__name__)

_DEFERRED = "deferred_writes"
_CACHE = "read_cache"  # set for every session of a storage.db.Sessions factory


class NeedsTransaction(Exception):
    """An event running on a read-only session tried to write through the ORM."""


@dataclass(frozen=True)
class Write:
    """One row to write: a statement built once (so its compiled form is cached) and its parameters. All the
    rows of one statement must have the same keys: they are written together with executemany."""

    statement: Executable
    params: Mapping[str, Any]
    on_commit: Callable[[], None] | None = None  # e.g. keeps the ReadCache's copy up to date


def start_deferring(session: AsyncSession) -> list[Write]:
    """Makes the session read-only; `defer` then collects its writes in the returned list."""
    writes: list[Write] = []
    session.sync_session.info[_DEFERRED] = writes
    return writes


async def defer(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any],
    on_commit: Callable[[], None] | None = None,
) -> bool:
    """Writes a row now, or collects it when the session is read-only. True when it was collected (so no
    value the database would produce, such as a new id, is known yet). `on_commit` runs once a collected row
    is committed; it does not run for a row written now."""
    writes: list[Write] | None = session.sync_session.info.get(_DEFERRED)
    if writes is not None:
        writes.append(Write(statement, params, on_commit))
        return True
    await session.exec(statement, params=params)  # type: ignore[call-overload]
    return False


def when_committed(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Runs `callback` once, after the session's transaction commits (never after a rollback). For rows that
    `defer` collected, pass `on_commit` to it instead: they are committed by the BatchWriter, not the session."""
    event.listen(session.sync_session, "after_commit", lambda _session: callback(), once=True)


def read_cache(session: AsyncSession) -> ReadCache | None:
    """The factory's ReadCache for a read-only session; None for an ordinary transaction, which always reads
    the database (and whose loaded objects must not be shared)."""
    info = session.sync_session.info
    return info.get(_CACHE) if _DEFERRED in info else None


def cache_of(session: AsyncSession) -> ReadCache | None:
    """The factory's ReadCache, for any of its sessions (to drop copies that a write makes stale)."""
    return session.sync_session.info.get(_CACHE)


def has_orm_changes(session: AsyncSession) -> bool:
    return bool(session.new or session.dirty or session.deleted)


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _DEFERRED in session.info:
        raise NeedsTransaction("ORM flush on a read-only session")


def _refuse_writes(state: ORMExecuteState) -> None:
    if _DEFERRED in state.session.info and not state.is_select:
        raise NeedsTransaction("write statement on a read-only session")


def _committed(session: Session) -> None:
    cache: ReadCache | None = session.info.get(_CACHE)
    if cache is not None:  # anything may have changed: members, units, tasks
        cache.forget_shared()


def install_guards() -> None:
    """Once per process: read-only sessions refuse ORM writes, and a commit drops the cached members and tasks
    (sessions that are not read-only are otherwise untouched)."""
    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)
        event.listen(Session, "do_orm_execute", _refuse_writes)
        event.listen(Session, "after_commit", _committed)


@dataclass
class _Pending:
    writes: Sequence[Write]
    done: asyncio.Future[None]


class BatchWriter:
    """Commits the writes of concurrent events together. `commit` returns once the caller's writes are stored."""

    def __init__(self, engine: AsyncEngine, turn: Any) -> None:
        self._engine = engine
        self._turn = turn  # the SQLite turn of storage.db.Sessions, shared with ordinary transactions
        self._queue: list[_Pending] = []
        self._worker: asyncio.Task[None] | None = None

    async def commit(self, writes: Sequence[Write]) -> None:
        if not writes:
            return
        pending = _Pending(writes, asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="batch-writer")
        await asyncio.shield(pending.done)

    async def _drain(self) -> None:
        """Runs while there is something to write: each round takes everything queued so far."""
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._write(batch)
            except Exception:  # one transaction for all failed: give each its own, so only the culprit fails
                log.warning("batch of %d events failed; writing them one by one", len(batch), exc_info=True)
                for pending in batch:
                    try:
                        await self._write([pending])
                    except Exception as error:
                        if not pending.done.done():
                            pending.done.set_exception(error)
                        continue
                    self._finish([pending])
                continue
            self._finish(batch)

    async def _write(self, batch: Sequence[_Pending]) -> None:
        # One executemany per statement, its rows in arrival order. The rows are independent inserts and
        # upserts (no row needs another's new id), so grouping them by kind changes nothing.
        groups: dict[int, tuple[Executable, list[Mapping[str, Any]]]] = {}
        for pending in batch:
            for write in pending.writes:
                groups.setdefault(id(write.statement), (write.statement, []))[1].append(write.params)
        async with self._turn, self._engine.begin() as connection:
            for statement, params in groups.values():
                await connection.execute(statement, params if len(params) > 1 else params[0])

    @staticmethod
    def _finish(batch: Sequence[_Pending]) -> None:
        for pending in batch:
            for write in pending.writes:
                if write.on_commit is not None:
                    write.on_commit()
            if not pending.done.done():
                pending.done.set_result(None)
