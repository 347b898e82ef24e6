"""Async engine and sessions. One session per inbound event or job; the caller commits once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import BatchWriter, install_guards
from storage.cache import ReadCache

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
SQLITE_BUSY_TIMEOUT_MS = 5000
# Every event in flight holds a connection while it reads, and the Telegram adapter runs up to 32 at once
# (bot/adapters/chat_order.py). With SQLAlchemy's default 5 kept connections, the others were opened and
# closed again for each event (for SQLite: a new thread and the PRAGMAs each time).
POOL_SIZE = 40
POOL_OVERFLOW = 10
# What a database call raises when the database fails or cannot be reached: SQLAlchemy wraps what the driver raises
# on a connection it holds, but not asyncpg's failures to open one (connection refused: OSError; "the database
# system is starting up" or "shutting down": asyncpg.PostgresError).
DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, OSError, asyncpg.PostgresError)


def async_url(url: str) -> URL:
    """Accept the usual `sqlite:///…` and `postgresql://…` forms and pick the async driver for them."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported database: {backend!r} (use sqlite:/// or postgresql://)")
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])



def _prepare_sqlite(url: URL) -> None:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL keeps the database consistent after a crash; it only skips an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    target = async_url(url)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    if target.get_backend_name() == "sqlite":
        _prepare_sqlite(target)
        engine = create_async_engine(target, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(target, pool_pre_ping=True, **kwargs)


class Sessions(async_sessionmaker[AsyncSession]):
    """The session factory, knowing whether transactions must take turns.

    SQLite has one writer. Two concurrent transactions that read and then write make SQLite answer
    "database is locked" at once (a reader cannot be upgraded past a newer commit, so the busy timeout does not
    help), and an update would be lost. So on SQLite this process runs its transactions one at a time, in
    arrival order; PostgreSQL runs them concurrently.

    It also holds what the status-reply hot path shares across events: `writer`, which commits the rows of
    many events in one transaction (taking the same turns), and `cache`, the read cache those events use
    (see storage.batching and storage.cache).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.cache = ReadCache()
        super().__init__(engine, class_=AsyncSession, expire_on_commit=False, info={"read_cache": self.cache})
        self._turns = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        install_guards()
        self.writer = BatchWriter(engine, self.turn())

    def turn(self) -> AbstractAsyncContextManager[object]:
        return self._turns if self._turns is not None else nullcontext()


def session_factory(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)


@asynccontextmanager
async def transaction(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block ends normally and rolls back on any exception."""
    async with sessions.turn(), sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
