"""Process updates concurrently across chats but strictly in order within one chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor


class PerChatOrderedProcessor(BaseUpdateProcessor):
    """Two officers are served at once; one officer's "xong" is never handled before their earlier "#12"."""

    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = getattr(getattr(update, "effective_chat", None), "id", None)
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat] -= 1
            if self._waiting[chat] == 0:  # forget idle chats so memory stays flat
                del self._waiting[chat]
                del self._locks[chat]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
