"""Sends scheduler messages (reminders, digests) through the Zalo Bot API.

The client already retried quick failures; what is still failing goes back to the outbox: a refused chat
(the user blocked the bot, or never started a conversation with it) as `Unreachable`, a rate limit, a server
error or a timeout as `TemporaryFailure` (with Zalo's own wait when it gave one).
"""

from __future__ import annotations

from bot.adapters.zalo_channel import ZaloDelivery
from bot.adapters.zalo_client import ZaloApiError, ZaloTransportError
from bot.messaging import Outgoing, Response
from scheduler.sending import TemporaryFailure, Unreachable

# Zalo's codes for a chat the bot may not write to. Zalo documents few error texts; these are what it and our
# fake answer for a blocked bot, an unknown user and a chat the bot was removed from.
_GONE_CODES = frozenset({403, 404})
_GONE_WORDS = ("blocked", "not found", "unknown user", "not exist", "invalid chat")


class ZaloSender:
    channel = "zalo"

    def __init__(self, delivery: ZaloDelivery) -> None:
        self._delivery = delivery

    async def send(self, chat_id: str, message: Outgoing) -> str:
        try:
            return await self._delivery.deliver(chat_id, Response([message]))
        except ZaloApiError as error:
            if error.temporary or error.error_code == 408:
                raise TemporaryFailure(str(error), retry_after=error.retry_after) from None
            if error.error_code in _GONE_CODES or any(word in error.description.lower() for word in _GONE_WORDS):
                raise Unreachable(str(error)) from None
            raise
        except ZaloTransportError as error:
            raise TemporaryFailure(str(error)) from None
