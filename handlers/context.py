"""What every handler receives for one event: the session, the sender, their language, today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.deps import Deps
from bot.i18n import Translator
from bot.messaging import Incoming
from storage.models import Member

UNREAD: Any = object()  # not read from the database in this event yet


@dataclass
class Context:
    deps: Deps
    session: AsyncSession
    incoming: Incoming
    member: Member | None
    t: Translator
    today: date
    pending: dict[str, Any] | None = UNREAD
    replied_task: int | None = UNREAD  # the task of the bot message this one replies to

    @property
    def channel(self) -> str:
        return self.incoming.channel

    @property
    def chat_id(self) -> str:
        return self.incoming.chat_id

    def registered(self) -> Member:
        """The sender as a member (callers check registration first, in the router)."""
        assert self.member is not None
        return self.member
