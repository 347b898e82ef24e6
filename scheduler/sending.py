"""What the scheduler needs from a channel: send one message to one chat. Adapters implement it."""

from __future__ import annotations

from typing import Protocol

from bot.messaging import Outgoing


class Unreachable(Exception):
    """The platform refuses this chat for good: the member blocked the bot, deleted the account, or the chat is
    unknown. Retrying will not help."""


class TemporaryFailure(Exception):
    """The platform could not take the message now (rate limit, server error, timeout). The outbox tries again
    later; `retry_after` is the platform's own wait (Telegram's 429), which the shared limiter then observes."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, message: Outgoing) -> str:
        """Delivers `message`; returns the platform's message id (of the last part if it was split)."""
        ...
