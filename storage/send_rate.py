"""The send-rate slots of one bot token, shared by every process through the database (scheduler/limiter.py).

Table `send_rate`, keyed by (key, chat_id): `key` names one bot token (its channel and a hash of the token,
never the token itself). The row with chat_id '' holds the token's next free send slot (`next_at`) and the end
of a flood-control pause (`paused_until`); a row per chat holds when that chat may next receive a message.

Times are seconds since the Unix epoch **on the database's clock** (`clock_timestamp()` on PostgreSQL,
`julianday('now')` on SQLite), so processes on different machines agree on them; they are floats rather than
timestamps so that the same arithmetic works in the same statements on both databases. Each function is one
atomic statement (an UPSERT with RETURNING takes the row lock on PostgreSQL and the writer lock on SQLite), so two
processes never get overlapping slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

BOT = ""  # chat_id of the token's own row

_NOW = {
    "postgresql": "extract(epoch from clock_timestamp())::float8",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}
_GREATEST = {"postgresql": "greatest", "sqlite": "max"}


def _dialect(session: AsyncSession) -> str:
    name = session.get_bind().dialect.name
    if name not in _NOW:
        raise ValueError(f"no send-rate slots on {name}")
    return name


@dataclass(frozen=True)
class Block:
    """A run of slots: `start` is the first (database seconds); `now` the database's clock when reserved."""

    start: float
    now: float


async def reserve_block(session: AsyncSession, *, key: str, span: float) -> Block:
    """Takes the next `span` seconds of the token's sending time, after every slot already taken and after any
    pause, and never before now."""
    dialect = _dialect(session)
    now, greatest = _NOW[dialect], _GREATEST[dialect]
    statement = text(
        f"INSERT INTO send_rate (key, chat_id, next_at) VALUES (:key, :bot, {now} + :span) "
        f"ON CONFLICT (key, chat_id) DO UPDATE SET next_at = "
        f"{greatest}(send_rate.next_at, coalesce(send_rate.paused_until, 0), {now}) + :span "
        f"RETURNING next_at, {now}"
    )
    result = await session.exec(statement, params={"key": key, "bot": BOT, "span": span})  # type: ignore[call-overload]
    end, at = result.one()
    return Block(start=float(end) - span, now=float(at))


@dataclass(frozen=True)
class Refusal:
    """Why a send at the asked time may not go: the token is paused, or the chat is busy, until `until`."""

    until: float
    paused: bool


async def claim_chat(session: AsyncSession, *, key: str, chat_id: str, at: float, interval: float) -> Refusal | None:
    """Books `chat_id` for a send at `at` (database seconds) and keeps it until `at + interval`: None when booked,
    else why not: the token is paused past `at`, or the chat had a message less than its interval before.
    The booking is one statement that writes first, so on SQLite it holds the writer lock from the start."""
    booked = await session.exec(  # type: ignore[call-overload]
        text(
            "INSERT INTO send_rate (key, chat_id, next_at) "
            "SELECT CAST(:key AS VARCHAR(80)), CAST(:chat AS VARCHAR(64)), CAST(:next AS DOUBLE PRECISION) "
            "WHERE NOT EXISTS ("
            "SELECT 1 FROM send_rate WHERE key = :key AND chat_id = :bot AND paused_until > :at) "
            "ON CONFLICT (key, chat_id) DO UPDATE SET next_at = excluded.next_at WHERE send_rate.next_at <= :at "
            "RETURNING next_at"
        ),
        params={"key": key, "chat": chat_id, "bot": BOT, "next": at + interval, "at": at},
    )
    if booked.first() is not None:
        return None
    rows = await session.exec(  # type: ignore[call-overload]
        text("SELECT chat_id, next_at, paused_until FROM send_rate WHERE key = :key AND chat_id IN (:bot, :chat)"),
        params={"key": key, "bot": BOT, "chat": chat_id},
    )
    times = {row[0]: (row[1], row[2]) for row in rows.all()}
    paused = times.get(BOT, (None, None))[1]
    if paused is not None and float(paused) > at:
        return Refusal(float(paused), paused=True)
    return Refusal(float(times[chat_id][0]), paused=False)


async def pause_sends(session: AsyncSession, *, key: str, seconds: float) -> float:
    """No slot of the token before `seconds` from now (the platform's retry_after); returns the pause's end."""
    dialect = _dialect(session)
    now, greatest = _NOW[dialect], _GREATEST[dialect]
    statement = text(
        f"INSERT INTO send_rate (key, chat_id, next_at, paused_until) VALUES (:key, :bot, {now}, {now} + :seconds) "
        f"ON CONFLICT (key, chat_id) DO UPDATE SET paused_until = "
        f"{greatest}(coalesce(send_rate.paused_until, 0), {now} + :seconds) "
        f"RETURNING paused_until"
    )
    result = await session.exec(statement, params={"key": key, "bot": BOT, "seconds": seconds})  # type: ignore[call-overload]
    return float(result.scalar_one())


async def forget_chats(session: AsyncSession, *, key: str, idle: float) -> int:
    """Deletes the rows of chats free for more than `idle` seconds (they say nothing any more)."""
    statement = text(f"DELETE FROM send_rate WHERE key = :key AND chat_id <> :bot AND next_at < {_NOW[_dialect(session)]} - :idle")
    result = await session.exec(statement, params={"key": key, "bot": BOT, "idle": idle})  # type: ignore[call-overload]
    return int(result.rowcount or 0)
