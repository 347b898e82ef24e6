"""Send-rate limiters for one bot token: a global rate plus per-chat spacing, as Telegram requires.

* `SendLimiter` keeps the limits within one process. Each caller reserves the earliest slot that keeps both
  limits and then sleeps until it: reserving happens without an await, so concurrent senders never pick the same
  slot.
* `SharedSendLimiter` keeps them across every process sending for the same bot token, through the database
  (storage/send_rate.py). What the reminder service runs by default.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from storage import send_rate
from storage.db import Sessions, transaction

log = logging.getLogger(__name__)


class Limiter(Protocol):
    async def acquire(self, chat_id: str) -> None:
        """Waits until a message may go to `chat_id`; the slot is then taken."""
        ...

    def pause(self, seconds: float) -> None:
        """The platform asked every send of this bot to wait (a 429 with retry_after)."""
        ...


class SendLimiter:
    def __init__(
        self,
        per_second: float,
        *,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._spacing = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._group = group_interval
        self._monotonic = monotonic
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}

    def reserve(self, chat_id: str) -> float:
        """Seconds to wait before sending to `chat_id`; the slot is taken."""
        now = self._monotonic()
        slot = max(now, self._next_global, self._next_chat.get(chat_id, 0.0))
        self._next_global = slot + self._spacing
        # Telegram group and channel ids are negative; private chats are positive.
        self._next_chat[chat_id] = slot + (self._group if chat_id.startswith("-") else self._per_chat)
        if len(self._next_chat) > 100_000:
            self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
        return slot - now

    def pause(self, seconds: float) -> None:
        """The platform asked every send to wait (a 429 with retry_after): no slot before then."""
        self._next_global = max(self._next_global, self._monotonic() + seconds)

    async def acquire(self, chat_id: str) -> None:
        wait = self.reserve(chat_id)
        if wait > 0:
            await asyncio.sleep(wait)


def bot_key(channel: str, token: str | None) -> str:
    """The key of one bot token in `send_rate`: the channel and a hash of the token, never the token itself."""
    return f"{channel}:{hashlib.sha256((token or '').encode()).hexdigest()[:32]}"


BLOCK_SECONDS = 0.2  # of sending time reserved from the database at once
LATE_SLOTS = 0.25  # a slot missed by up to this many spacings is still used; a later one is dropped
FORGET_EVERY = 60.0  # seconds between clean-ups of idle chat rows
CHAT_IDLE = 60.0  # a chat row free for this long is deleted
BOOKING_LEAD = 0.005  # seconds before its slot a send books its chat (at least two round trips)
OFFSET_TTL = 30.0  # seconds an estimate of the database's clock is trusted over a noisier new one


class SharedSendLimiter:
    """The send-rate limit of one bot token held by every process together, coordinated through the database.

    **Global rate.** The token's row in `send_rate` holds its next free slot. A process takes a block of
    k = ceil(rate x 0.2 s) slots at once (one atomic UPSERT: `next_at = greatest(next_at, paused_until, now) +
    k x spacing`, on the database's clock) and hands them out locally, one per send, at the cap's spacing. Blocks
    never overlap and each is a run of slots 1/rate apart, so all the slots of all processes are at least 1/rate
    apart: the combined rate never exceeds the cap. A slot missed by more than a quarter spacing (the process was
    busy) is dropped rather than sent late, so lateness bunches sends by at most that (plus the event loop's own
    delay): at most cap + 1 in any second, cap in any second less one spacing. Unused slots only lower the rate.
    Times are converted between the database's clock and this process's monotonic clock with an offset measured
    at each reservation (to within half its round trip), so processes on different machines agree.

    **Per-chat spacing is coordinated too.** Outbox rows are claimed one by one, not per member, and one member can
    have several due at once (the chief of office gets each extension request, each "member unreachable" notice
    and the digest as separate rows), so two processes can be sending to the same chat at the same instant:
    spacing kept per process would not hold. Each send therefore books its chat at its slot (one small
    transaction: the chat's row in `send_rate`, refused while the chat's interval since its last message has not
    passed); a refused slot is wasted and the send waits for the chat. Chat rows idle for a minute are deleted.

    **Pauses.** `pause(seconds)` (a 429's retry_after) drops this process's slots and writes `paused_until` on
    the token's row at once (in the background; `acquire` waits for it). Every other process sees it at its next
    send, since booking a chat checks it, drops its slots and waits too; new blocks start after it.

    Overhead: a reservation every k sends and one booking per send, each a single short transaction.
    """

    def __init__(
        self,
        sessions: Sessions,
        *,
        key: str,
        per_second: float,
        per_chat_interval: float = 1.0,
        group_interval: float = 3.0,
        block_seconds: float = BLOCK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self.key = key
        self._spacing = 1.0 / per_second
        self._block = max(1, math.ceil(per_second * block_seconds))
        self._per_chat = per_chat_interval
        self._group = group_interval
        self._monotonic = monotonic
        self._slots: deque[float] = deque()  # reserved slots not used yet, on the database's clock
        self._paused_until = 0.0  # on the database's clock: our own pause, kept even if writing it failed
        self._offset: float | None = None  # database clock minus our monotonic clock
        self._offset_rtt = math.inf
        self._offset_at = -math.inf
        self._forgot_at = -math.inf
        self._lock = asyncio.Lock()
        self._pushing: set[asyncio.Task[None]] = set()
        self.reservations = 0  # database round trips for blocks (the bench reports them)
        self.refusals = 0  # slots wasted because the chat was busy or the token paused
        self.last_slot: float | None = None  # the slot of the latest send, on the database's clock

    def _now(self) -> float:
        """The database's clock now, as estimated here."""
        assert self._offset is not None
        return self._monotonic() + self._offset

    def _interval(self, chat_id: str) -> float:
        # Telegram group and channel ids are negative; private chats are positive.
        return self._group if chat_id.startswith("-") else self._per_chat

    async def acquire(self, chat_id: str) -> None:
        """Waits until this process may send to `chat_id` without any process exceeding the limits."""
        if self._pushing:
            await asyncio.gather(*self._pushing)
        while True:
            async with self._lock:
                slot = await self._slot()
            # The chat is booked just before the slot, so that a pause asked meanwhile by any process is seen.
            ahead = slot - self._now() - max(BOOKING_LEAD, 2 * self._offset_rtt)
            if ahead > 0:
                await asyncio.sleep(ahead)
            refusal: send_rate.Refusal | None
            if slot < self._paused_until:
                refusal = send_rate.Refusal(self._paused_until, paused=True)
            else:
                async with transaction(self._sessions) as session:
                    refusal = await send_rate.claim_chat(session, key=self.key, chat_id=chat_id, at=slot,
                                                         interval=self._interval(chat_id))
            if refusal is None:
                self.last_slot = slot
                break
            self.refusals += 1
            if refusal.paused:
                self._paused_until = max(self._paused_until, refusal.until)
                self._slots.clear()
            await asyncio.sleep(max(0.0, refusal.until - self._now()))
        wait = slot - self._now()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _slot(self) -> float:
        """The next usable slot of ours (reserving a block when none is left)."""
        if self._offset is not None:
            earliest = max(self._now() - LATE_SLOTS * self._spacing, self._paused_until)
            while self._slots and self._slots[0] < earliest:
                self._slots.popleft()
        if not self._slots:
            if self._offset is not None and (paused := self._paused_until - self._now()) > 0:
                await asyncio.sleep(paused)  # our own pause, in case it could not be written to the database
            await self._reserve()
        return self._slots.popleft()

    async def _reserve(self) -> None:
        span = self._block * self._spacing
        async with transaction(self._sessions) as session:
            sent = self._monotonic()
            block = await send_rate.reserve_block(session, key=self.key, span=span)
            back = self._monotonic()
            if back - self._forgot_at >= FORGET_EVERY:
                self._forgot_at = back
                await send_rate.forget_chats(session, key=self.key, idle=CHAT_IDLE)
        self.reservations += 1
        rtt = back - sent
        # The monotonic clock and the database's hardly drift: keep the estimate from the quickest round trip.
        if rtt <= self._offset_rtt or back - self._offset_at > OFFSET_TTL:
            self._offset, self._offset_rtt, self._offset_at = block.now - (sent + back) / 2, rtt, back
        self._slots.clear()
        self._slots.extend(block.start + n * self._spacing for n in range(self._block))

    def pause(self, seconds: float) -> None:
        """No send by any process for `seconds` (a 429's retry_after): local at once, shared as soon as written."""
        self._slots.clear()
        if self._offset is not None:
            self._paused_until = max(self._paused_until, self._now() + seconds)
        task = asyncio.get_running_loop().create_task(self._push_pause(seconds))
        self._pushing.add(task)
        task.add_done_callback(self._pushing.discard)

    async def _push_pause(self, seconds: float) -> None:
        try:
            async with transaction(self._sessions) as session:
                until = await send_rate.pause_sends(session, key=self.key, seconds=seconds)
        except SQLAlchemyError:  # this process still waits; the others learn of it from their own 429
            log.warning("could not share a %.1fs send pause for %s through the database", seconds, self.key,
                        exc_info=True)
            return
        self._paused_until = max(self._paused_until, until)
