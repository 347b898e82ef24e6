"""One send-rate limiter for one bot token: a global rate plus per-chat spacing, as Telegram requires.

Each caller reserves the earliest slot that keeps both limits and then sleeps until it: reserving happens without
an await, so concurrent senders never pick the same slot.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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
